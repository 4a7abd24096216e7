// A node:http server on 127.0.0.1 that answers as a test scripts it (a
// stalled body, a refusal, a bomb): what the REST client's tests talk to when
// a real BoxLite server cannot be made to misbehave that way.
import fs from 'node:fs';
import http from 'node:http';

export interface ScriptedServer {
  server: http.Server;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Drops every connection and stops listening. */
  close(): Promise<void>;
}

export async function listenScripted(handler: http.RequestListener): Promise<ScriptedServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    origin: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The targets of this process's descriptors that `match` picks (Linux /proc). */
export function openDescriptors(match: (target: string) => boolean): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (match(target)) out.push(target);
    } catch {
      // closed while listing
    }
  }
  return out;
}
