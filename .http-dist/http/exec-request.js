"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.ALLOWED_SIGNALS = void 0;
exports.parseExecRequest = parseExecRequest;
exports.checkSignal = checkSignal;
exports.parseSignalRequest = parseSignalRequest;
exports.checkResize = checkResize;
exports.parseResizeRequest = parseResizeRequest;
exports.parseStopRequest = parseStopRequest;
const box_request_1 = require("./box-request");
const validate_1 = require("./validate");
const EXEC_FIELDS = new Set(['command', 'args', 'env', 'timeout_seconds', 'working_dir', 'tty', 'user']);
const SIGNAL_FIELDS = new Set(['signal']);
const RESIZE_FIELDS = new Set(['cols', 'rows']);
/** BoxLite's whitelist: HUP INT QUIT ABRT USR1 USR2 TERM WINCH. */
exports.ALLOWED_SIGNALS = new Set([1, 2, 3, 6, 10, 12, 15, 28]);
const SIGKILL = 9;
const MAX_TTY_DIMENSION = 0xffff;
function parseExecRequest(body) {
    if (body === undefined)
        throw (0, validate_1.invalid)('request body is required: {"command": "..."}');
    const b = (0, validate_1.expectObject)(body, 'request body');
    (0, validate_1.rejectUnknownFields)(b, EXEC_FIELDS, 'request body');
    const where = 'request body';
    const command = (0, validate_1.optString)(b, 'command', where, { nonEmpty: true });
    if (command === undefined)
        throw (0, validate_1.invalid)('command is required');
    const args = (0, validate_1.optStringArray)(b, 'args', where) ?? [];
    const options = {};
    const env = (0, box_request_1.envMap)(b, 'env', where);
    if (env !== undefined)
        options.env = env;
    // Same rule and words as libboxlite's own check, so either layer reads alike.
    const timeout = b.timeout_seconds;
    if (timeout !== undefined && timeout !== null) {
        if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0) {
            throw (0, validate_1.invalid)('timeout_seconds must be a non-negative finite number');
        }
        if (timeout > 0)
            options.timeoutSecs = timeout;
    }
    const workdir = (0, validate_1.optString)(b, 'working_dir', where);
    if (workdir !== undefined)
        options.workdir = workdir;
    const tty = (0, validate_1.optBoolean)(b, 'tty', where);
    if (tty !== undefined)
        options.tty = tty;
    const user = (0, validate_1.optString)(b, 'user', where, { nonEmpty: true });
    if (user !== undefined)
        options.user = user;
    return { command, args, options };
}
/** Validates a signal number against the whitelist (HTTP body and WS frame share it). */
function checkSignal(sig) {
    if (typeof sig !== 'number' || !Number.isInteger(sig))
        throw (0, validate_1.invalid)(`signal must be an integer, got ${JSON.stringify(sig) ?? String(sig)}`);
    if (sig === SIGKILL) {
        throw (0, validate_1.invalid)('signal 9 (SIGKILL) is not accepted here; use DELETE .../executions/{exec_id} to kill and evict the execution');
    }
    if (!exports.ALLOWED_SIGNALS.has(sig)) {
        throw (0, validate_1.invalid)(`signal ${sig} is not allowed; allowed: ${[...exports.ALLOWED_SIGNALS].join(', ')} (SIGKILL: DELETE the execution)`);
    }
    return sig;
}
function parseSignalRequest(body) {
    if (body === undefined)
        throw (0, validate_1.invalid)('request body is required: {"signal": 15}');
    const b = (0, validate_1.expectObject)(body, 'request body');
    (0, validate_1.rejectUnknownFields)(b, SIGNAL_FIELDS, 'request body');
    if (b.signal === undefined || b.signal === null)
        throw (0, validate_1.invalid)('signal is required');
    return checkSignal(b.signal);
}
function checkResize(obj, where) {
    const cols = (0, validate_1.optInteger)(obj, 'cols', where, { min: 1, max: MAX_TTY_DIMENSION });
    const rows = (0, validate_1.optInteger)(obj, 'rows', where, { min: 1, max: MAX_TTY_DIMENSION });
    if (cols === undefined || rows === undefined)
        throw (0, validate_1.invalid)('cols and rows are required');
    return { cols, rows };
}
function parseResizeRequest(body) {
    if (body === undefined)
        throw (0, validate_1.invalid)('request body is required: {"cols": 120, "rows": 40}');
    const b = (0, validate_1.expectObject)(body, 'request body');
    (0, validate_1.rejectUnknownFields)(b, RESIZE_FIELDS, 'request body');
    return checkResize(b, 'request body');
}
/** POST .../stop accepts the spec's optional {timeout_seconds}. */
function parseStopRequest(body) {
    if (body === undefined)
        return;
    const b = (0, validate_1.expectObject)(body, 'request body');
    (0, validate_1.rejectUnknownFields)(b, new Set(['timeout_seconds']), 'request body');
    (0, validate_1.optNumber)(b, 'timeout_seconds', 'request body', { min: 0 });
}
//# sourceMappingURL=exec-request.js.map