"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.attachBoxliteUpgrade = attachBoxliteUpgrade;
/**
 * Routes the server's 'upgrade' events to `handler.upgrade`. Upgrades for
 * other paths are left to other listeners; when there are none they are
 * refused with 404 instead of hanging. Returns a function that unwires it.
 */
function attachBoxliteUpgrade(server, handler) {
    const onUpgrade = (req, socket, head) => {
        if (handler.upgrade(req, socket, head))
            return;
        if (server.listenerCount('upgrade') === 1) {
            socket.on('error', () => undefined);
            socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        }
    };
    server.on('upgrade', onUpgrade);
    return () => { server.removeListener('upgrade', onUpgrade); };
}
//# sourceMappingURL=upgrade.js.map