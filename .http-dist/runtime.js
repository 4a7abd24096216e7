"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.Runtime = exports.Box = exports.Execution = void 0;
// The runtime facade: Runtime / Box / Execution over the native addon.
//
// Output arrives from the addon as Buffers pushed into Node Readables; the exit
// code arrives after the last byte (libboxlite's exit event is the barrier), so
// `wait()` resolving means the output is complete.
const node_crypto_1 = require("node:crypto");
const node_stream_1 = require("node:stream");
const errors_1 = require("./errors");
const native_1 = require("./native");
// ---- argument checks (the addon re-checks types; these give the nicer texts) ----
function invalid(what) {
    return new errors_1.InvalidArgumentError(`invalid argument: ${what}`);
}
function optionalString(value, name, { nonEmpty = false } = {}) {
    if (value === undefined)
        return undefined;
    if (typeof value !== 'string' || (nonEmpty && value.length === 0)) {
        throw invalid(`${name} must be a ${nonEmpty ? 'non-empty ' : ''}string`);
    }
    return value;
}
function requiredString(value, name) {
    if (typeof value !== 'string' || value.length === 0)
        throw invalid(`${name} must be a non-empty string`);
    return value;
}
function optionalPositiveInt(value, name) {
    if (value === undefined)
        return undefined;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
        throw invalid(`${name} must be a positive integer`);
    }
    return value;
}
function optionalBool(value, name) {
    if (value === undefined)
        return undefined;
    if (typeof value !== 'boolean')
        throw invalid(`${name} must be a boolean`);
    return value;
}
function stringArray(value, name) {
    if (value === undefined)
        return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
        throw invalid(`${name} must be an array of strings`);
    }
    return [...value];
}
function stringRecord(value, name) {
    if (value === undefined)
        return undefined;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw invalid(`${name} must be an object of strings`);
    }
    const out = {};
    for (const [k, v] of Object.entries(value)) {
        if (typeof v !== 'string')
            throw invalid(`${name}.${k} must be a string`);
        out[k] = v;
    }
    return out;
}
function toNativeBoxOptions(options) {
    if (options === null || typeof options !== 'object')
        throw invalid('box options must be an object');
    const image = optionalString(options.image, 'image', { nonEmpty: true });
    const rootfsPath = optionalString(options.rootfsPath, 'rootfsPath', { nonEmpty: true });
    if ((image === undefined) === (rootfsPath === undefined)) {
        throw invalid('exactly one of image or rootfsPath is required');
    }
    let volumes;
    if (options.volumes !== undefined) {
        if (!Array.isArray(options.volumes))
            throw invalid('volumes must be an array');
        volumes = options.volumes.map((v, i) => {
            if (v === null || typeof v !== 'object')
                throw invalid(`volumes[${i}] must be an object`);
            return {
                hostPath: requiredString(v.hostPath, `volumes[${i}].hostPath`),
                guestPath: requiredString(v.guestPath, `volumes[${i}].guestPath`),
                readOnly: optionalBool(v.readOnly, `volumes[${i}].readOnly`),
            };
        });
    }
    let network;
    if (options.network !== undefined) {
        const n = options.network;
        if (n === null || typeof n !== 'object')
            throw invalid('network must be an object');
        if (n.mode !== undefined && n.mode !== 'enabled' && n.mode !== 'disabled') {
            throw invalid("network.mode must be 'enabled' or 'disabled'");
        }
        network = { mode: n.mode, allowNet: stringArray(n.allowNet, 'network.allowNet') };
    }
    return {
        image,
        rootfsPath,
        name: optionalString(options.name, 'name', { nonEmpty: true }),
        cpus: optionalPositiveInt(options.cpus, 'cpus'),
        memoryMib: optionalPositiveInt(options.memoryMib, 'memoryMib'),
        diskSizeGb: optionalPositiveInt(options.diskSizeGb, 'diskSizeGb'),
        workdir: optionalString(options.workdir, 'workdir', { nonEmpty: true }),
        env: stringRecord(options.env, 'env'),
        volumes,
        network,
        autoRemove: optionalBool(options.autoRemove, 'autoRemove'),
        detach: optionalBool(options.detach, 'detach'),
        entrypoint: stringArray(options.entrypoint, 'entrypoint'),
        cmd: stringArray(options.cmd, 'cmd'),
    };
}
function toExecSpec(command, args, options) {
    if (options === null || typeof options !== 'object')
        throw invalid('exec options must be an object');
    if (options.timeoutSecs !== undefined && typeof options.timeoutSecs !== 'number') {
        throw invalid('timeoutSecs must be a number');
    }
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
        throw invalid('signal must be an AbortSignal');
    }
    return {
        command: requiredString(command, 'command'),
        args: stringArray(args, 'args'),
        env: stringRecord(options.env, 'env'),
        workdir: optionalString(options.workdir, 'workdir', { nonEmpty: true }),
        user: optionalString(options.user, 'user', { nonEmpty: true }),
        // Negative, NaN and infinite values are refused by libboxlite itself.
        timeoutSecs: options.timeoutSecs,
        tty: optionalBool(options.tty, 'tty'),
    };
}
function isRuntimeClosedError(err) {
    return (0, errors_1.isBoxliteError)(err, errors_1.BoxliteErrorCode.Stopped) && err.message === 'stopped: runtime is closed';
}
// ---- Execution ----------------------------------------------------------------
function pushAll(stream, data) {
    if (Array.isArray(data)) {
        for (const chunk of data)
            stream.push(chunk);
    }
    else {
        stream.push(data);
    }
}
/** How Box.exec() feeds an Execution: kept off the public surface. */
const listenerOf = new WeakMap();
const attach = new WeakMap();
/** A command running in a box. Created by `box.exec()`. */
class Execution {
    /** Generated here: libboxlite executions carry no id of their own. */
    id = (0, node_crypto_1.randomUUID)();
    stdout;
    stderr;
    stdin;
    #native = null;
    #exitCode = null;
    #exited;
    #onAbort = null;
    #signal;
    /** @internal Use `box.exec()`. */
    constructor(signal) {
        // Output is pushed as it arrives (libboxlite has no flow control to pass
        // back, and holding it would stall every execution of the runtime).
        this.stdout = new node_stream_1.Readable({ read() { } });
        this.stderr = new node_stream_1.Readable({ read() { } });
        this.stdin = new node_stream_1.Writable({
            write: (chunk, _encoding, callback) => this.#writeStdin([chunk], callback),
            writev: (chunks, callback) => this.#writeStdin(chunks.map((c) => c.chunk), callback),
            final: (callback) => {
                try {
                    this.#native?.closeStdin();
                    callback();
                }
                catch (err) {
                    callback(err);
                }
            },
            destroy: (err, callback) => {
                try {
                    this.#native?.closeStdin();
                }
                catch {
                    // already closed or gone: destroying must not fail on that
                }
                callback(err);
            },
        });
        let resolveExit;
        this.#exited = new Promise((resolve) => {
            resolveExit = resolve;
        });
        this.#signal = signal;
        listenerOf.set(this, (stdout, stderr, exitCode) => {
            if (stdout)
                pushAll(this.stdout, stdout);
            if (stderr)
                pushAll(this.stderr, stderr);
            if (exitCode === undefined)
                return;
            this.#exitCode = exitCode;
            this.stdout.push(null);
            this.stderr.push(null);
            if (this.#onAbort)
                this.#signal?.removeEventListener('abort', this.#onAbort);
            this.#onAbort = null;
            resolveExit(exitCode);
        });
        attach.set(this, (native) => {
            this.#native = native;
            if (this.#exitCode !== null || !this.#signal)
                return;
            this.#onAbort = () => {
                this.kill().catch(() => {
                    // the execution may be finishing on its own; nothing to report
                });
            };
            if (this.#signal.aborted)
                this.#onAbort();
            else
                this.#signal.addEventListener('abort', this.#onAbort, { once: true });
        });
    }
    /** The exit code once known, else null. */
    get exitCode() {
        return this.#exitCode;
    }
    /**
     * The exit code, once the process exited and all its output was pushed to
     * stdout/stderr. Negative: -N killed by signal N; -129 torn down before a
     * natural exit (runtime closed).
     */
    wait() {
        return this.#exited;
    }
    /** SIGKILL. A no-op once exited. */
    kill() {
        return this.#requireNative().kill();
    }
    signal(sig) {
        if (!Number.isInteger(sig))
            return Promise.reject(invalid('signal must be an integer'));
        return this.#requireNative().signal(sig);
    }
    resize(cols, rows) {
        if (!Number.isInteger(cols) || !Number.isInteger(rows)) {
            return Promise.reject(invalid('cols and rows must be integers'));
        }
        return this.#requireNative().resize(cols, rows);
    }
    #requireNative() {
        if (!this.#native)
            throw invalid('the execution has not started');
        return this.#native;
    }
    #writeStdin(chunks, callback) {
        try {
            const native = this.#requireNative();
            native.writeStdin(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
            callback();
        }
        catch (err) {
            callback(err);
        }
    }
}
exports.Execution = Execution;
// ---- Box ----------------------------------------------------------------------
/** A box. Its libboxlite handle is replaced transparently after `stop()`. */
class Box {
    id;
    name;
    #runtime;
    #native;
    #reacquiring = null;
    /** @internal Use `runtime.createBox()` / `runtime.getBox()`. */
    constructor(runtime, native, name) {
        this.#runtime = runtime;
        this.#native = native;
        this.id = native.id;
        this.name = name;
    }
    async start() {
        await this.#call((b) => b.start());
    }
    /**
     * Stops the box. libboxlite invalidates every handle to it; they are all
     * released, so a later call (or `runtime.getBox()`) gets a fresh one.
     */
    async stop() {
        await this.#call((b) => b.stop());
        this.#runtime._releaseHandles(this.id);
    }
    info() {
        return this.#call((b) => b.info());
    }
    metrics() {
        return this.#call((b) => b.metrics());
    }
    async copyIn(hostSrc, guestDst) {
        requiredString(hostSrc, 'hostSrc');
        requiredString(guestDst, 'guestDst');
        await this.#call((b) => b.copyIn(hostSrc, guestDst));
    }
    async copyOut(guestSrc, hostDst) {
        requiredString(guestSrc, 'guestSrc');
        requiredString(hostDst, 'hostDst');
        await this.#call((b) => b.copyOut(guestSrc, hostDst));
    }
    async exec(command, args, options = {}) {
        const spec = toExecSpec(command, args, options);
        options.signal?.throwIfAborted();
        const execution = new Execution(options.signal);
        const listener = listenerOf.get(execution);
        const native = await this.#call((b) => b.exec(spec, listener));
        attach.get(execution)(native);
        return execution;
    }
    /** exec(), stdin closed, output collected as UTF-8 text. */
    async run(command, args, options = {}) {
        const execution = await this.exec(command, args, options);
        const stdinClosed = new Promise((resolve) => {
            execution.stdin.once('error', () => resolve()); // e.g. it already exited: nothing to close
            execution.stdin.end(resolve);
        });
        const [stdout, stderr, exitCode] = await Promise.all([
            collect(execution.stdout),
            collect(execution.stderr),
            execution.wait(),
            stdinClosed,
        ]);
        return { exitCode, stdout, stderr };
    }
    /** @internal Frees this object's handle; the next call takes a fresh one. */
    _release() {
        this.#native?.release();
        this.#native = null;
    }
    async #handle() {
        if (this.#native)
            return this.#native;
        this.#reacquiring ??= this.#runtime._nativeBox(this.id).finally(() => {
            this.#reacquiring = null;
        });
        this.#native = await this.#reacquiring;
        return this.#native;
    }
    async #call(op) {
        const native = await this.#handle();
        try {
            return await op(native);
        }
        catch (err) {
            // A handle invalidated by stop() elsewhere, or spent after the box
            // stopped by itself: drop it so the next call gets a fresh one.
            if ((0, errors_1.isBoxliteError)(err, errors_1.BoxliteErrorCode.Stopped) && !isRuntimeClosedError(err)) {
                this.#runtime._releaseHandles(this.id);
            }
            throw err;
        }
    }
}
exports.Box = Box;
async function collect(stream) {
    const chunks = [];
    for await (const chunk of stream)
        chunks.push(chunk);
    return Buffer.concat(chunks).toString('utf8');
}
// ---- Runtime ------------------------------------------------------------------
/** A BoxLite runtime (local, or libboxlite's REST runtime). */
class Runtime {
    #native;
    #closing = null;
    /** Live Box objects per box id, so stop() can release every handle to a box. */
    #boxes = new Map();
    #forget = new FinalizationRegistry(({ id, ref }) => {
        const set = this.#boxes.get(id);
        set?.delete(ref);
        if (set?.size === 0)
            this.#boxes.delete(id);
    });
    constructor(native) {
        this.#native = native;
    }
    /**
     * Opens a local runtime. libboxlite is loaded now (not at require time):
     * `libraryPath`, else BOXLITE_LIBRARY, else next to the addon, else the
     * system loader path. Failing that, an EngineError lists what was tried.
     */
    static async open(options = {}) {
        if (options === null || typeof options !== 'object')
            throw invalid('options must be an object');
        const homeDir = optionalString(options.homeDir, 'homeDir', { nonEmpty: true });
        const libraryPath = optionalString(options.libraryPath, 'libraryPath', { nonEmpty: true });
        const native = await (0, native_1.loadAddon)().openRuntime({
            homeDir,
            libraryPath,
            envLibraryPath: process.env.BOXLITE_LIBRARY || undefined,
        });
        return new Runtime(native);
    }
    /** Opens libboxlite's REST runtime against a BoxLite server: same API, remote boxes. */
    static async rest(options) {
        if (options === null || typeof options !== 'object')
            throw invalid('options must be an object');
        const native = await (0, native_1.loadAddon)().openRestRuntime({
            url: requiredString(options.url, 'url'),
            apiKey: optionalString(options.apiKey, 'apiKey', { nonEmpty: true }),
            pathPrefix: optionalString(options.pathPrefix, 'pathPrefix'),
            libraryPath: optionalString(options.libraryPath, 'libraryPath', { nonEmpty: true }),
            envLibraryPath: process.env.BOXLITE_LIBRARY || undefined,
        });
        return new Runtime(native);
    }
    /** True once close() was called. */
    get closed() {
        return this.#native.closed;
    }
    /** Where libboxlite was loaded from, and its version. */
    get library() {
        return { path: this.#native.libraryPath, version: this.#native.libraryVersion };
    }
    async createBox(options) {
        const native = await this.#native.createBox(toNativeBoxOptions(options));
        return this.#track(new Box(this, native, options.name ?? null));
    }
    /** Rejects with NotFoundError when missing. */
    async getBox(idOrName) {
        const native = await this._nativeBox(requiredString(idOrName, 'idOrName'));
        let name = null;
        try {
            name = (await this.#native.getInfo(native.id)).name;
        }
        catch (err) {
            native.release();
            throw err;
        }
        return this.#track(new Box(this, native, name));
    }
    /** null when missing. */
    async findBox(idOrName) {
        try {
            return await this.getBox(idOrName);
        }
        catch (err) {
            if ((0, errors_1.isBoxliteError)(err, errors_1.BoxliteErrorCode.NotFound))
                return null;
            throw err;
        }
    }
    listBoxes() {
        return this.#native.listBoxes();
    }
    async removeBox(idOrName, options = {}) {
        requiredString(idOrName, 'idOrName');
        const force = optionalBool(options?.force, 'force') ?? false;
        await this.#native.removeBox(idOrName, force);
    }
    metrics() {
        return this.#native.metrics();
    }
    /**
     * Stops non-detached boxes (local runtimes), kills running executions
     * (their wait() resolves with -129), frees every handle. Idempotent.
     * Pending calls reject with StoppedError.
     */
    close() {
        this.#closing ??= this.#native.close();
        return this.#closing;
    }
    [Symbol.asyncDispose]() {
        return this.close();
    }
    /** @internal A fresh native handle for a box. */
    _nativeBox(idOrName) {
        return this.#native.getBox(idOrName);
    }
    /** @internal Releases every live Box handle for a box id (after stop). */
    _releaseHandles(id) {
        for (const ref of this.#boxes.get(id) ?? [])
            ref.deref()?._release();
    }
    #track(box) {
        const ref = new WeakRef(box);
        let set = this.#boxes.get(box.id);
        if (!set)
            this.#boxes.set(box.id, (set = new Set()));
        set.add(ref);
        this.#forget.register(box, { id: box.id, ref });
        return box;
    }
}
exports.Runtime = Runtime;
//# sourceMappingURL=runtime.js.map