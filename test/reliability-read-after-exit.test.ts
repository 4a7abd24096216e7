// Output read after the command exited (README "Limits and guarantees"):
// once an execution has exited, only its reader keeps it alive, so that an
// Execution dropped with unread output is collected. A reader that is
// reading must count as one even when nothing else refers to the Execution:
// an async function awaiting wait() is reachable only from the Execution's
// own promise (a cycle), as is a Readable waiting for data. Found at 100
// concurrent 4 MiB executions: a garbage collection between a read request
// and its answer dropped the rest of the output (it was spilled), and wait()
// never settled.
import { describe, expect, it } from 'vitest';
import { childPrelude, runNode } from './native-helpers';

describe('reading output after the exit', () => {
  it('a reader nothing else refers to gets every byte, through garbage collections between its reads', async () => {
    const r = await runNode(['--expose-gc', '-e', `${childPrelude()}
const { finished } = require('node:stream/promises');
let finishedReaders = 0;
// A lost reader waits forever: say so rather than run into the test's timeout.
setTimeout(() => { console.error('stalled: ' + finishedReaders + ' of 16 readers got to the end'); process.exit(1); }, 30_000).unref();
(async () => {
  // A 1 MiB window: most of each output is spilled, and read back one block per request.
  const rt = await bn.Runtime.open({ homeDir: newHome(), libraryPath, limits: { maxBufferedOutputBytes: 1 << 20 } });
  const box = await rt.createBox({ image: 'alpine' });
  const size = 16 << 20;
  // Collections keep coming while the output is read; the timer refers to nothing else.
  const collector = setInterval(() => global.gc(), 1);
  // Nothing outside these async functions refers to the executions. Others
  // stream meanwhile, so the JS thread is busy and answers come later.
  const read = async (e) => {
    let n = 0;
    e.stdout.on('data', (c) => { n += c.length; });
    e.stderr.resume();
    await Promise.all([e.wait(), finished(e.stdout)]);
    finishedReaders++;
    return n;
  };
  const got = await Promise.all(Array.from({ length: 16 }, async (_, i) => {
    const e = await box.exec('head', ['-c', String(size), '/dev/zero']);
    if (i % 2 === 0) await e.exited();
    return read(e);
  }));
  clearInterval(collector);
  console.log(JSON.stringify({ got, size }));
  await rt.close();
})().catch((e) => { console.error(e); process.exit(1); });
`], { timeoutMs: 50_000 });
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.stdout).not.toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.got).toEqual(Array(16).fill(out.size));
  }, 90_000);
});
