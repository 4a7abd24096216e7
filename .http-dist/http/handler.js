"use strict";
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.createBoxliteHandler = createBoxliteHandler;
const node_os_1 = require("node:os");
const errors_1 = require("../errors");
const body_1 = require("./body");
const auth_1 = require("./auth");
const attach_1 = require("./attach");
const boxes = __importStar(require("./box-routes"));
const discovery_routes_1 = require("./discovery-routes");
const execs = __importStar(require("./exec-routes"));
const file_routes_1 = require("./file-routes");
const http_error_1 = require("./http-error");
const paths_1 = require("./paths");
const prefix_1 = require("./prefix");
const request_id_1 = require("./request-id");
const respond_1 = require("./respond");
const router_1 = require("./router");
const sessions_1 = require("./sessions");
function isThenable(value) {
    return (typeof value === 'object' || typeof value === 'function') && value !== null
        && typeof value.then === 'function';
}
const ROUTES = {
    config: { GET: discovery_routes_1.getConfig, HEAD: discovery_routes_1.getConfig },
    me: { GET: discovery_routes_1.getMe, HEAD: discovery_routes_1.getMe },
    boxes: { GET: boxes.listBoxes, HEAD: boxes.listBoxes, POST: boxes.createBox },
    box: { GET: boxes.getBox, HEAD: boxes.headBox, DELETE: boxes.removeBox },
    'box.start': { POST: boxes.startBox },
    'box.stop': { POST: boxes.stopBox },
    'box.exec': { POST: execs.startExec },
    'box.metrics': { GET: boxes.boxMetrics, HEAD: boxes.boxMetrics },
    'box.files': { GET: file_routes_1.downloadFiles, PUT: file_routes_1.uploadFiles },
    execution: { GET: execs.getExecution, HEAD: execs.getExecution, DELETE: execs.killExecution },
    'execution.attach': { GET: execs.attachWithoutUpgrade },
    'execution.signal': { POST: execs.signalExecution },
    'execution.resize': { POST: execs.resizeExecution },
    metrics: { GET: boxes.runtimeMetrics, HEAD: boxes.runtimeMetrics },
};
const MIB = 1 << 20;
function positive(value, name, dflt) {
    if (value === undefined)
        return dflt;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
        throw new TypeError(`createBoxliteHandler: ${name} must be a positive number, got ${String(value)}`);
    }
    return value;
}
function defaultOnError(err, requestId) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    process.stderr.write(`[boxlite-native] request ${requestId}: ${message}\n`);
}
function checkRuntime(runtime) {
    const r = runtime;
    if (r === null || typeof r !== 'object' || typeof r.createBox !== 'function' || typeof r.getBox !== 'function') {
        throw new TypeError('createBoxliteHandler: the first argument must be a Runtime (e.g. await Runtime.open())');
    }
}
function resolveAuth(options) {
    if (options.authenticate !== undefined && typeof options.authenticate !== 'function') {
        throw new TypeError('createBoxliteHandler: authenticate must be a function (req) => principal | null');
    }
    if (options.authorize !== undefined && typeof options.authorize !== 'function') {
        throw new TypeError('createBoxliteHandler: authorize must be a function (principal, req, action, details) => boolean');
    }
    if (options.auth !== undefined && options.auth !== 'none') {
        throw new TypeError(`createBoxliteHandler: auth accepts only 'none'; use authenticate for credentials`);
    }
    if (options.authenticate && options.auth === 'none') {
        throw new TypeError("createBoxliteHandler: give either authenticate or auth: 'none', not both");
    }
    if (options.authenticate)
        return options.authenticate;
    if (options.auth === 'none')
        return () => auth_1.ANONYMOUS_PRINCIPAL;
    throw new TypeError('createBoxliteHandler: no authentication configured. Pass authenticate (for example '
        + "bearerTokenAuth(process.env.BOXLITE_API_KEY)) or, for a trusted network only, auth: 'none'.");
}
function createBoxliteHandler(runtime, options = {}) {
    checkRuntime(runtime);
    const authenticate = resolveAuth(options);
    const authorize = options.authorize;
    const basePath = (0, paths_1.normalizeBasePath)(options.basePath);
    const onError = options.onError ?? defaultOnError;
    const resolved = {
        jsonLimit: positive(options.jsonLimit, 'jsonLimit', MIB),
        filesLimit: positive(options.filesLimit, 'filesLimit', 1024 * MIB),
        exposeInternal: options.exposeInternal !== false,
        tmpDir: options.tmpDir ?? (0, node_os_1.tmpdir)(),
        prefixPolicy: (0, prefix_1.makePrefixPolicy)(options.pathPrefix),
        onError,
    };
    const backgroundError = (err) => onError(err, 'background');
    const sessions = new sessions_1.SessionRegistry({
        idleTimeoutMs: positive(options.execIdleTimeoutMs, 'execIdleTimeoutMs', 5 * 60_000),
        reapGraceMs: positive(options.execReapGraceMs, 'execReapGraceMs', 10_000),
        pingIntervalMs: positive(options.pingIntervalMs, 'pingIntervalMs', 15_000),
        maxBufferedBytes: positive(options.maxBufferedOutputBytes, 'maxBufferedOutputBytes', 8 * MIB),
    }, backgroundError);
    const state = { runtime, sessions, options: resolved, boxUsers: new Map(), boxUpdatedAt: new Map() };
    const wss = (0, attach_1.createWebSocketServer)();
    let closed = false;
    const errorContext = (requestId) => ({
        requestId, exposeInternal: resolved.exposeInternal, onServerError: onError,
    });
    /**
     * Authentication, route, method and authorization: what a request must pass
     * before any work. Synchronous when the hooks are (the common case: no
     * promise is made on the hot path); a promise when a hook returns one.
     * Throws (or rejects) with the refusal.
     */
    function admit(req, afterV1) {
        if (closed)
            throw (0, http_error_1.httpError)(503, 'engine reported an error: this BoxLite handler is closed');
        // /v1/config is open by spec; everything else needs a principal first,
        // so unknown paths reveal nothing to anonymous callers.
        if (afterV1 === 'config')
            return check(req, afterV1, auth_1.ANONYMOUS_PRINCIPAL);
        const principal = authenticate(req);
        if (isThenable(principal))
            return Promise.resolve(principal).then((p) => check(req, afterV1, p));
        return check(req, afterV1, principal);
    }
    function check(req, afterV1, principal) {
        if (principal === null || principal === undefined) {
            throw (0, http_error_1.unauthenticated)(req.headers.authorization === undefined
                ? 'missing credentials: send Authorization: Bearer <token>'
                : 'invalid credentials');
        }
        const method = req.method ?? 'GET';
        const match = (0, router_1.matchRoute)(afterV1, resolved.prefixPolicy);
        if (match === null) {
            const shown = afterV1.length > 200 ? `${afterV1.slice(0, 200)}...` : afterV1;
            throw (0, http_error_1.httpError)(404, `not found: no route for ${method} /v1/${shown}`);
        }
        if (match.name === 'unsupported')
            throw new errors_1.UnsupportedError(`unsupported: ${match.feature}`);
        if (match.name === 'box' && method === 'POST' && match.boxId === 'import') {
            throw new errors_1.UnsupportedError('unsupported: import is not supported by this server (GET /v1/config: import_enabled=false)');
        }
        const action = (0, router_1.actionFor)(match.name, method);
        if (action === undefined)
            throw (0, http_error_1.methodNotAllowed)(method, (0, router_1.allowedMethods)(match.name));
        const admitted = { match, principal };
        if (action === null || !authorize)
            return admitted;
        const details = { prefix: match.prefix, boxId: match.boxId, execId: match.execId };
        const allowed = authorize(principal, req, action, details);
        const decide = (ok) => {
            if (!ok)
                throw (0, http_error_1.permissionDenied)(action);
            return admitted;
        };
        return isThenable(allowed) ? Promise.resolve(allowed).then(decide) : decide(allowed);
    }
    function serve(req, res, afterV1, query, requestId) {
        const fail = (err) => (0, respond_1.sendError)(req, res, err, errorContext(requestId));
        const run = ({ match, principal }) => {
            const r = ROUTES[match.name][req.method ?? 'GET'];
            const ctx = { req, res, requestId, match, query, principal, state };
            const parse = r.parse;
            if (parse === undefined) {
                r.run(ctx, undefined).catch(fail);
                return;
            }
            (0, body_1.readJsonBody)(req, resolved.jsonLimit, (err, body) => {
                if (err) {
                    fail(err);
                    return;
                }
                // Validate inside a microtask, not straight from the stream's
                // callback: there, under Node's native callback scope, every throw
                // makes V8 build a message object for the outer TryCatch (measured
                // ~15 us a throw), and a rejected body is the hot 4xx path.
                Promise.resolve(body).then(parse).then((input) => r.run(ctx, input)).catch(fail);
            });
        };
        let admitted;
        try {
            admitted = admit(req, afterV1);
        }
        catch (err) {
            fail(err);
            return;
        }
        if (admitted instanceof Promise)
            admitted.then(run, fail);
        else
            run(admitted);
    }
    const handler = function boxliteHandler(req, res, next) {
        const { afterV1, query } = (0, paths_1.splitUrl)(req, basePath);
        if (afterV1 === null) {
            // Not ours: let the host app route it, or answer 404 when alone.
            if (typeof next === 'function') {
                next();
                return;
            }
            const requestId = (0, request_id_1.requestIdFor)(req);
            (0, respond_1.sendError)(req, res, (0, http_error_1.httpError)(404, 'not found: this server serves BoxLite REST API v1 under /v1'), errorContext(requestId));
            return;
        }
        serve(req, res, afterV1, query, (0, request_id_1.requestIdFor)(req));
    };
    handler.upgrade = function upgrade(req, socket, head) {
        const { afterV1 } = (0, paths_1.splitUrl)(req, basePath);
        if (afterV1 === null)
            return false;
        const requestId = (0, request_id_1.requestIdFor)(req);
        const ctx = errorContext(requestId);
        // A reset during the handshake must not become an uncaught 'error' (ws
        // adds its own listener once it owns the socket; this one stays harmless).
        socket.on('error', () => undefined);
        Promise.resolve().then(() => admit(req, afterV1)).then(async ({ match }) => {
            if (match.name !== 'execution.attach') {
                throw (0, http_error_1.httpError)(400, `invalid argument: ${req.method} /v1/${afterV1} is not a WebSocket endpoint`);
            }
            // The route is box-scoped: the box must still exist (a box removed
            // behind this handler's back answers 404 here, as the spec says).
            await runtime.getBox(match.boxId);
            (0, attach_1.upgradeToSession)(wss, sessions, match.boxId, match.execId, req, socket, head, ctx);
        }).catch((err) => (0, attach_1.rejectUpgrade)(socket, err, ctx));
        return true;
    };
    handler.close = async function close() {
        closed = true;
        await sessions.closeAll();
        await new Promise((resolve) => wss.close(() => resolve()));
    };
    Object.defineProperty(handler, 'activeExecutions', { get: () => sessions.size, enumerable: true });
    return handler;
}
//# sourceMappingURL=handler.js.map