"use strict";
var __importDefault = (this && this.__importDefault) || function (mod) {
    return (mod && mod.__esModule) ? mod : { "default": mod };
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.FAULT_OPERATIONS = void 0;
exports.testEngineLibraryPath = testEngineLibraryPath;
exports.injectFault = injectFault;
exports.clearFaults = clearFaults;
exports.openTestRuntime = openTestRuntime;
/**
 * `boxlite-native/testing`: run your BoxLite code against the **test engine**.
 *
 * ```
 *  ┌──────────────────────────────────────────────────────────────────────┐
 *  │  THE TEST ENGINE ISOLATES NOTHING. TESTS AND LOCAL DEVELOPMENT ONLY. │
 *  └──────────────────────────────────────────────────────────────────────┘
 * ```
 *
 * `libboxlite-test-engine.so` is a stand-in for libboxlite with the same C ABI:
 * a "box" is a directory on the host and every command runs as an ordinary
 * host process, as your user, with your environment, file system and network.
 * It reproduces libboxlite's contracts (event ordering, error codes and texts,
 * handle invalidation, one runtime per home dir) so code tested against it
 * works against the real library, and it can inject any BoxLite error at any
 * operation. Never run untrusted code with it and never ship it as a runtime.
 * Details: test/engine/README.md in the package.
 */
const node_fs_1 = __importDefault(require("node:fs"));
const node_os_1 = __importDefault(require("node:os"));
const node_path_1 = __importDefault(require("node:path"));
const errors_1 = require("./errors");
const runtime_1 = require("./runtime");
const PACKAGE_ROOT = node_path_1.default.resolve(__dirname, '..');
function engineFileName() {
    return process.platform === 'darwin' ? 'libboxlite-test-engine.dylib' : 'libboxlite-test-engine.so';
}
/**
 * Absolute path of the test engine library: `build/Release/` of this package
 * (built from source), else `prebuilds/<platform>-<arch>/`.
 * Throws an `EngineError` listing the paths tried when neither exists.
 */
function testEngineLibraryPath() {
    const name = engineFileName();
    const candidates = [
        node_path_1.default.join(PACKAGE_ROOT, 'build', 'Release', name),
        node_path_1.default.join(PACKAGE_ROOT, 'prebuilds', `${process.platform}-${process.arch}`, name),
    ];
    for (const candidate of candidates) {
        if (node_fs_1.default.existsSync(candidate))
            return candidate;
    }
    throw new errors_1.EngineError(`boxlite-native: the test engine library (${name}) was not found. Tried:\n` +
        candidates.map((c) => `  - ${c}`).join('\n') +
        '\nBuild it from the package directory with `npx cmake-js compile` (CMake target boxlite-test-engine).');
}
/** Operations the test engine can fail on purpose (README: "Fault injection"). */
exports.FAULT_OPERATIONS = [
    'runtime_new', 'shutdown', 'runtime_metrics', 'create_box', 'get', 'remove', 'get_info', 'list_info',
    'start', 'stop', 'box_info', 'box_metrics', 'copy_into', 'copy_out', 'exec', 'on_stdout', 'on_stderr',
    'on_exit', 'wait', 'kill', 'signal', 'resize', 'stdin_write', 'stdin_close',
];
function faultFile(homeDir) {
    return node_path_1.default.join(homeDir, '.test-engine', 'faults');
}
function serializeRule(rule) {
    const bad = (why) => {
        throw new errors_1.InvalidArgumentError(`invalid argument: fault rule ${JSON.stringify(rule)}: ${why}`);
    };
    if (!exports.FAULT_OPERATIONS.includes(rule.op))
        bad(`op must be one of ${exports.FAULT_OPERATIONS.join(', ')}`);
    if (!Number.isInteger(rule.code) || rule.code < 1 || rule.code > 21)
        bad('code must be an integer in 1..21');
    if (rule.when !== undefined && rule.when !== 'sync' && rule.when !== 'async')
        bad("when must be 'sync' or 'async'");
    if (rule.times !== undefined && rule.times !== 'forever' && !(Number.isInteger(rule.times) && rule.times >= 1)) {
        bad("times must be a positive integer or 'forever'");
    }
    for (const key of ['box', 'command']) {
        const value = rule[key];
        if (value !== undefined && !/^\S+$/.test(value))
            bad(`${key} must be a non-empty string without whitespace`);
    }
    if (rule.message !== undefined && (/[\r\n]/.test(rule.message) || rule.message.length === 0)) {
        bad('message must be one non-empty line');
    }
    let line = `op=${rule.op} code=${rule.code} when=${rule.when ?? 'sync'} times=${rule.times ?? 1}`;
    if (rule.box !== undefined)
        line += ` box=${rule.box}`;
    if (rule.command !== undefined)
        line += ` command=${rule.command}`;
    if (rule.message !== undefined)
        line += ` message=${rule.message}`; // last: it runs to the end of the line
    return line;
}
/** Replaces the rules file atomically, so the engine never reads half a file. */
function writeRules(homeDir, lines) {
    const file = faultFile(homeDir);
    node_fs_1.default.mkdirSync(node_path_1.default.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    node_fs_1.default.writeFileSync(tmp, lines.length ? lines.join('\n') + '\n' : '');
    node_fs_1.default.renameSync(tmp, file);
}
/**
 * Adds a fault rule for the runtime whose home dir is `homeDir` (it applies to
 * the next matching calls, also `runtime_new` before the runtime exists).
 * Rewriting the file restarts the counters of the rules already there.
 */
function injectFault(homeDir, rule) {
    const line = serializeRule(rule);
    let existing = [];
    try {
        existing = node_fs_1.default.readFileSync(faultFile(homeDir), 'utf8').split('\n').filter((l) => l.trim() !== '');
    }
    catch (err) {
        if (err.code !== 'ENOENT')
            throw err;
    }
    writeRules(homeDir, [...existing, line]);
}
/** Removes every fault rule of `homeDir`. */
function clearFaults(homeDir) {
    node_fs_1.default.rmSync(faultFile(homeDir), { force: true });
}
/**
 * Opens a runtime on the test engine (ISOLATES NOTHING: tests and local
 * development only), in a fresh temporary home dir unless one is given.
 *
 * ```ts
 * await using t = await openTestRuntime();
 * const box = await t.runtime.createBox({ image: 'alpine:latest' });
 * ```
 */
async function openTestRuntime(options = {}) {
    const libraryPath = testEngineLibraryPath();
    const ownsHome = options.homeDir === undefined;
    const homeDir = options.homeDir ?? node_fs_1.default.mkdtempSync(node_path_1.default.join(node_os_1.default.tmpdir(), 'boxlite-test-'));
    try {
        if (options.faults?.length)
            writeRules(homeDir, options.faults.map(serializeRule));
        const runtime = await runtime_1.Runtime.open({ homeDir, libraryPath });
        const close = async () => {
            try {
                await runtime.close();
            }
            finally {
                if (ownsHome)
                    node_fs_1.default.rmSync(homeDir, { recursive: true, force: true });
            }
        };
        return {
            runtime,
            homeDir,
            injectFault: (rule) => injectFault(homeDir, rule),
            clearFaults: () => clearFaults(homeDir),
            close,
            [Symbol.asyncDispose]: close,
        };
    }
    catch (err) {
        if (ownsHome)
            node_fs_1.default.rmSync(homeDir, { recursive: true, force: true });
        throw err;
    }
}
//# sourceMappingURL=testing.js.map