"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.createWebSocketServer = createWebSocketServer;
exports.rejectUpgrade = rejectUpgrade;
exports.upgradeToSession = upgradeToSession;
// GET .../executions/{id}/attach as a WebSocket. The handshake is checked
// (auth, route, session, single attach) before upgrading, and refusals are
// plain HTTP answers with BoxLite's envelope, as the spec says (404/409/410).
const node_http_1 = require("node:http");
const ws_1 = require("ws");
const errors_1 = require("../errors");
const respond_1 = require("./respond");
/** Largest client frame accepted (stdin chunks, control frames). */
const MAX_CLIENT_FRAME_BYTES = 8 << 20;
function createWebSocketServer() {
    // noServer: the host server's 'upgrade' event is routed here by
    // handler.upgrade. No permessage-deflate: the official client never offers
    // it, and compressing already-streamed output costs CPU for nothing.
    return new ws_1.WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: MAX_CLIENT_FRAME_BYTES, clientTracking: false });
}
/** Answer an upgrade request with a plain HTTP error and close the socket. */
function rejectUpgrade(socket, err, ctx) {
    const { status, headers, body } = (0, respond_1.renderError)(err, ctx);
    if (!socket.writable) {
        socket.destroy();
        return;
    }
    let head = `HTTP/1.1 ${status} ${node_http_1.STATUS_CODES[status] ?? 'Error'}\r\n`;
    for (const [name, value] of Object.entries(headers))
        head += `${name}: ${value}\r\n`;
    head += 'Connection: close\r\n\r\n';
    socket.once('finish', () => socket.destroy());
    socket.end(head + body);
}
/** Upgrade and hand the socket to the session (claims the single attach slot first). */
function upgradeToSession(wss, sessions, boxId, execId, req, socket, head, ctx) {
    let session;
    try {
        session = sessions.lookupForAttach(boxId, execId);
        if (!session.reserveAttach()) {
            throw new errors_1.AlreadyExistsError(`already exists: another client is attached to execution ${execId}; one attach at a time`);
        }
    }
    catch (err) {
        rejectUpgrade(socket, err, ctx);
        return;
    }
    const claimed = session;
    let attached = false;
    wss.handleUpgrade(req, socket, head, (ws) => {
        attached = true;
        claimed.attach(ws);
    });
    // ws answers a malformed handshake itself (400) without calling back, and
    // completes a good one synchronously: either way the slot is settled here.
    if (!attached)
        claimed.releaseAttach();
}
//# sourceMappingURL=attach.js.map