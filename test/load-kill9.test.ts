// `kill -9` of a `serve --engine test` child with running executions and an
// upload in progress. With the test engine the commands are host processes:
// they must die with the server, what they started included (before: they
// ran on under PID 1, untouched by a restart or by removing their box). The
// staging directory of the interrupted upload is swept by the next start.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Server, MIB, files, processesWith, srv, startExec, waitUntil } from './load-support';

/** An upload that stays in progress: the header and 1 MiB of a 32 MiB entry sent, nothing more. */
function hangingUpload(server: Server, box: string): http.ClientRequest {
  const req = http.request(`${server.origin}/v1/boxes/${box}/files?path=/interrupted.bin`, {
    method: 'PUT', agent: false, headers: { 'Content-Type': 'application/x-tar', 'Transfer-Encoding': 'chunked' },
  });
  req.on('error', () => undefined); // the server dies under it
  req.write(files.tarHeader('interrupted.bin', 32 * MIB));
  req.write(Buffer.alloc(MIB, 0x61));
  return req;
}

describe('kill -9 of the server', () => {
  it('no command it started survives it (background children included); the next start sweeps its staging', async () => {
    // A duration no other test uses: it marks this test's processes in /proc.
    const marker = `300.${process.pid}${Date.now() % 100000}`;
    const server = await srv.startServer();
    let restarted: Server | null = null;
    let upload: http.ClientRequest | null = null;
    try {
      const box = await srv.createBox(server.origin);
      const other = await srv.createBox(server.origin);
      await startExec(server, box, 'sleep', [marker]);
      await startExec(server, box, 'sh', ['-c', `sleep ${marker} & wait`]);
      await startExec(server, box, 'sh', ['-c', `sleep ${marker} & sleep ${marker} & exec sleep ${marker}`]);
      await startExec(server, other, 'sh', ['-c', `(sleep ${marker} &) ; exec sleep ${marker}`]);
      // The sleeps themselves (a shell's own command line names them too).
      await waitUntil(() => processesWith(`sleep ${marker}`, { prefix: true }).length === 7, 20_000, 'the 7 sleeps to start');
      upload = hangingUpload(server, box);
      await waitUntil(() => srv.stagingDirs(server).length === 1, 20_000, 'the upload to be staged');
      const staged = srv.stagingDirs(server)[0];

      server.child.kill('SIGKILL');
      await new Promise((resolve) => server.child.once('exit', resolve));
      // Before: all 7 still running under PID 1, for good.
      await waitUntil(() => processesWith(`sleep ${marker}`).length === 0, 20_000, 'every command of the killed server to die');
      // Nobody removed the staging of the interrupted upload...
      expect(fs.existsSync(path.join(server.tmpDir, staged))).toBe(true);
      // ...until a server starts on the same temp directory: gone before it serves.
      restarted = await srv.startServer({ env: { TMPDIR: server.tmpDir } });
      expect(fs.existsSync(path.join(server.tmpDir, staged))).toBe(false);
      expect(srv.stagingDirs(server)).toEqual([]);
    } finally {
      upload?.destroy();
      await restarted?.stop();
      await server.stop();
      for (const pid of processesWith(`sleep ${marker}`)) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);

  it('a graceful stop still kills the commands, and the watchdog exits with the server', async () => {
    const marker = `301.${process.pid}${Date.now() % 100000}`;
    const server = await srv.startServer();
    try {
      const box = await srv.createBox(server.origin);
      await startExec(server, box, 'sh', ['-c', `sleep ${marker} & wait`]);
      await waitUntil(() => processesWith(`sleep ${marker}`, { prefix: true }).length === 1, 20_000, 'the commands to start');
      const watchdogs = () => processesWith('boxlite-test-engine-watchdog').filter((pid) => {
        // Ours only: the watchdog's session leader is itself; its parent was the server.
        try { return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(server.pid); } catch { return false; }
      });
      expect(watchdogs()).toHaveLength(1);
      const watchdog = watchdogs()[0];
      await server.stop(); // SIGTERM: the handler and the runtime close, killing the commands
      await waitUntil(() => processesWith(`sleep ${marker}`).length === 0, 10_000, 'the commands to die');
      await waitUntil(() => processesWith('boxlite-test-engine-watchdog').every((pid) => pid !== watchdog), 10_000, 'the watchdog to exit');
    } finally {
      await server.stop();
      for (const pid of processesWith(`sleep ${marker}`)) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
});
