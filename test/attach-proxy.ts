// A TCP proxy on 127.0.0.1 between the official BoxLite client and a server,
// for the client paths that only a broken or late WebSocket attach reaches
// (its GET .../executions/{eid} status probe, its handling of a refused
// upgrade). Plain HTTP connections are piped untouched. A WebSocket upgrade
// (the client opens each on a connection of its own) is handed to `onUpgrade`,
// which may hold it back (the exec runs with nobody attached), pass it, or
// black-hole it: the server's 101 head reaches the client, every frame after
// it is dropped, and both sockets are closed when `until` settles, as a proxy
// cutting an idle connection does.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type UpgradeAction = { kind: 'pass' } | { kind: 'blackhole'; until: Promise<unknown> };

export interface AttachProxy {
  /** http://127.0.0.1:<port> */
  origin: string;
  close(): Promise<void>;
}

/** Largest request or response head read before the proxy gives up on a connection. */
const MAX_HEAD_BYTES = 16 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

/** Calls back with the bytes up to the end of the HTTP head (and the rest), or destroys the socket. */
function readHead(socket: net.Socket, done: (head: Buffer, rest: Buffer) => void): void {
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf(HEAD_END);
    if (end === -1) {
      if (buffered.length > MAX_HEAD_BYTES) socket.destroy();
      return;
    }
    socket.off('data', onData);
    socket.pause();
    done(buffered.subarray(0, end + HEAD_END.length), buffered.subarray(end + HEAD_END.length));
  };
  socket.on('data', onData);
}

export async function startAttachProxy(target: string, onUpgrade: (path: string) => Promise<UpgradeAction>): Promise<AttachProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
    return s;
  };

  const server = net.createServer((client) => {
    track(client);
    readHead(client, (head, rest) => {
      const text = head.toString('latin1');
      const upgrade = /^upgrade:\s*websocket\s*$/im.test(text);
      if (!upgrade) {
        const upstream = track(net.connect(Number(port), hostname));
        upstream.write(Buffer.concat([head, rest]));
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        return;
      }
      const path = text.slice(text.indexOf(' ') + 1, text.indexOf(' HTTP/'));
      onUpgrade(path).then((action) => {
        if (client.destroyed) return;
        const upstream = track(net.connect(Number(port), hostname));
        upstream.write(Buffer.concat([head, rest]));
        client.pipe(upstream);
        client.resume();
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.end());
        if (action.kind === 'pass') {
          upstream.pipe(client);
          return;
        }
        readHead(upstream, (answer) => {
          client.write(answer);
          // Frames after the head are read and dropped.
          upstream.on('data', () => {});
          upstream.resume();
          void action.until.finally(() => {
            upstream.destroy();
            client.end();
          });
        });
      }, () => client.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
