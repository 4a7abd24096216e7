// Process-level behavior, each in a fresh `node` child: the process exits by
// itself once idle or closed, stays alive while work is outstanding, a runtime
// dropped without close() is cleaned up, process.exit() with live work is
// clean, and open/exec/close cycles leak no fds or threads.
import { describe, expect, it } from 'vitest';

import { childPrelude, runNode } from './native-helpers';

function script(body: string): string[] {
  return ['-e', `${childPrelude()}\n(async () => {\n${body}\n})().catch((e) => { console.error(e); process.exit(99); });`];
}

describe('process lifetime', () => {
  it('exits by itself after close(), even with an execution that was still running', async () => {
    const r = await runNode(script(`
      const rt = await bn.Runtime.open({ homeDir: newHome(), libraryPath });
      const box = await rt.createBox({ image: 'alpine:latest' });
      const hi = await box.run('echo', ['hi']);
      const running = await box.exec('sleep', ['30']);
      await rt.close();
      console.log(JSON.stringify({ out: hi.stdout, code: await running.wait() }));
    `));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { out: string; code: number };
    expect(out.out).toBe('hi\n');
    expect(out.code).toBeLessThan(0);
    expect(r.ms).toBeLessThan(15_000); // not the 30 s of the sleep
  });

  it('exits by itself with an idle runtime that was never closed', async () => {
    const r = await runNode(script(`
      const rt = await bn.Runtime.open({ homeDir: newHome(), libraryPath });
      const box = await rt.createBox({ image: 'alpine:latest' });
      console.log((await box.run('echo', ['idle'])).stdout.trim());
    `));
    expect(r.stderr).toBe('');
    expect([r.code, r.stdout]).toEqual([0, 'idle\n']);
  });

  it('stays alive while an execution runs, then exits by itself', async () => {
    const r = await runNode(script(`
      const rt = await bn.Runtime.open({ homeDir: newHome(), libraryPath });
      const box = await rt.createBox({ image: 'alpine:latest' });
      const execution = await box.exec('sh', ['-c', 'sleep 1; echo late']);
      execution.stdout.on('data', (d) => process.stdout.write(d));
      // nothing awaits it: only the native side keeps the loop alive
    `));
    expect(r.stderr).toBe('');
    expect([r.code, r.stdout]).toEqual([0, 'late\n']);
    expect(r.ms).toBeGreaterThanOrEqual(900);
  });

  it('a throwing stdout listener is an uncaught exception, and the other stream and wait() still complete', async () => {
    const r = await runNode(script(`
      const seen = [];
      process.on('uncaughtException', (e) => seen.push(e.message));
      const rt = await bn.Runtime.open({ homeDir: newHome(), libraryPath });
      const box = await rt.createBox({ image: 'alpine:latest' });
      const execution = await box.exec('sh', ['-c', 'sleep 0.2; echo out; echo err >&2']);
      execution.stdout.once('data', () => { throw new Error('listener threw'); });
      let err = '';
      execution.stderr.on('data', (d) => { err += d; });
      const code = await execution.wait();
      await rt.close();
      console.log(JSON.stringify({ code, err, seen }));
    `));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ code: 0, err: 'err\n', seen: ['listener threw'] });
  });

  it('writing to stdin after exit, with no error listener, does not crash the process', async () => {
    const r = await runNode(script(`
      const rt = await bn.Runtime.open({ homeDir: newHome(), libraryPath });
      const box = await rt.createBox({ image: 'alpine:latest' });
      const execution = await box.exec('true');
      await execution.wait();
      const failure = await new Promise((resolve) => execution.stdin.write('late', (e) => resolve(e && e.name)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      await rt.close();
      console.log(JSON.stringify({ failure }));
    `));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ failure: 'InvalidStateError' });
  });

  it('process.exit() with a runtime and a running execution exits cleanly with its code', async () => {
    const r = await runNode(script(`
      const rt = await bn.Runtime.open({ homeDir: newHome(), libraryPath });
      const box = await rt.createBox({ image: 'alpine:latest' });
      const execution = await box.exec('sh', ['-c', 'while :; do echo spam; done']);
      execution.stdout.resume();
      setTimeout(() => process.exit(7), 100);
    `));
    expect([r.code, r.signal]).toEqual([7, null]);
  });

  it('a runtime garbage-collected without close() is closed (its home dir lock is released)', async () => {
    const r = await runNode(['--expose-gc', ...script(`
      const home = newHome();
      await (async () => {
        const rt = await bn.Runtime.open({ homeDir: home, libraryPath });
        const box = await rt.createBox({ image: 'alpine:latest' });
        await box.run('true');
      })(); // rt is unreachable from here on
      for (let attempt = 1; attempt <= 100; attempt++) {
        global.gc();
        await new Promise((r) => setTimeout(r, 50));
        try {
          const again = await bn.Runtime.open({ homeDir: home, libraryPath });
          await again.close();
          console.log(JSON.stringify({ reopenedAfter: attempt }));
          return;
        } catch (err) {
          if (!(err instanceof bn.InternalError)) throw err;
        }
      }
      console.log(JSON.stringify({ reopenedAfter: null }));
    `)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { reopenedAfter: number | null }).reopenedAfter).not.toBeNull();
  });
});

describe('resources', () => {
  it('open / exec / close cycles leak no file descriptors and no threads', async () => {
    const r = await runNode(script(`
      const count = () => ({
        fds: fs.readdirSync('/proc/self/fd').length,
        threads: fs.readdirSync('/proc/self/task').length,
      });
      async function cycle() {
        const rt = await bn.Runtime.open({ homeDir: newHome(), libraryPath });
        const box = await rt.createBox({ image: 'alpine:latest' });
        await Promise.all(Array.from({ length: 20 }, (_, i) => box.run('sh', ['-c', 'echo ' + i + '; echo e >&2'])));
        const execution = await box.exec('cat');
        execution.stdin.write('x');
        const running = await box.exec('sleep', ['30']);
        await rt.close();
        await Promise.all([execution.wait(), running.wait()]);
      }
      await cycle(); // warm-up: the libuv pool starts its threads once
      const before = count();
      for (let i = 0; i < 5; i++) await cycle();
      // Descriptors and threads are given back asynchronously (a thread ends,
      // a pipe closes, after the promise that waited for it): wait for the
      // counts to come back, bounded, instead of a fixed 100 ms a busy
      // machine may not honour. A leak never comes back.
      let after = count();
      for (let i = 0; i < 100 && (after.fds !== before.fds || after.threads !== before.threads); i++) {
        await new Promise((r) => setTimeout(r, 50));
        after = count();
      }
      console.log(JSON.stringify({ before, after }));
    `));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const { before, after } = JSON.parse(r.stdout) as { before: object; after: object };
    expect(after).toEqual(before);
  });
});
