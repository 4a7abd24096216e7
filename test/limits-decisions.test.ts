// The decisions of lib/http/guards/limits.ts, taken directly (issue 12): the HTTP
// suites exercise the caps through a server in a child process, which
// StrykerJS cannot see. Each case is something a caller relies on: the 429
// (ResourceExhaustedError, boxliteCode 20) at exactly the cap and not one
// before, a message that names the count, the limit and the option to raise,
// slots that really come back (once) when released, and a default cap on
// executions that follows the process's real descriptor limit.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BoxliteErrorCode, ResourceExhaustedError } from '../lib/errors/errors';
import { DEFAULT_MAX_EXECUTIONS, type LimitSettings, Limits, defaultMaxExecutions, openFileLimit } from '../lib/http/guards/limits';

const ROOMY: LimitSettings = { maxExecutions: 100, maxExecutionsPerBox: 100, maxBoxes: 100, maxAttachSockets: 100, maxFileTransfers: 100 };

function limits(overrides: Partial<LimitSettings>): Limits {
  return new Limits({ ...ROOMY, ...overrides });
}

/** The error `fn` throws, checked to be the 429 kind. */
function refusal(fn: () => unknown): ResourceExhaustedError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ResourceExhaustedError);
  const err = thrown as ResourceExhaustedError;
  expect(err.boxliteCode).toBe(BoxliteErrorCode.ResourceExhausted);
  expect(err.boxliteCode).toBe(20);
  return err;
}

describe('the server-wide cap on executions', () => {
  it('lets n-1 run, refuses the n-th with a message naming count, limit and option', () => {
    const l = limits({ maxExecutions: 3 });
    l.acquireExecution('a');
    l.acquireExecution('b');
    expect(l.usage().executions).toBe(2);
    l.acquireExecution('c'); // the third of three is still accepted
    expect(l.usage().executions).toBe(3);
    const err = refusal(() => l.acquireExecution('d'));
    expect(err.message).toBe('resource exhausted: 3 executions are running on this server (limit 3, option maxExecutions); retry later');
    expect(l.usage().executions).toBe(3); // a refusal takes nothing
  });

  it('counts across boxes, and a released slot can be taken again', () => {
    const l = limits({ maxExecutions: 2 });
    const first = l.acquireExecution('a');
    l.acquireExecution('b');
    refusal(() => l.acquireExecution('c'));
    first();
    expect(l.usage().executions).toBe(1);
    l.acquireExecution('c');
    expect(l.usage().executions).toBe(2);
    refusal(() => l.acquireExecution('a'));
  });

  it('a zero cap refuses the first execution', () => {
    const err = refusal(() => limits({ maxExecutions: 0 }).acquireExecution('a'));
    expect(err.message).toContain('0 executions are running on this server (limit 0, option maxExecutions)');
  });
});

describe('the per-box cap on executions', () => {
  it('refuses the n-th execution in one box while other boxes still run', () => {
    const l = limits({ maxExecutionsPerBox: 2 });
    l.acquireExecution('box-1');
    l.acquireExecution('box-1');
    const err = refusal(() => l.acquireExecution('box-1'));
    expect(err.message).toBe('resource exhausted: 2 executions are running in box box-1 (limit 2, option maxExecutionsPerBox); retry later');
    l.acquireExecution('box-2');
    l.acquireExecution('box-2');
    expect(l.usage()).toMatchObject({ executions: 4, boxesWithExecutions: 2 });
  });

  it('the server-wide cap is checked first and named when both are full', () => {
    const l = limits({ maxExecutions: 1, maxExecutionsPerBox: 1 });
    l.acquireExecution('a');
    expect(refusal(() => l.acquireExecution('a')).message).toContain('option maxExecutions)');
  });

  it('a released slot in a box is counted back exactly once, keeping the others', () => {
    const l = limits({ maxExecutionsPerBox: 2 });
    const first = l.acquireExecution('a');
    l.acquireExecution('a');
    first();
    first(); // safe twice: the second call gives back nothing
    expect(l.usage()).toMatchObject({ executions: 1, boxesWithExecutions: 1 });
    l.acquireExecution('a'); // one free slot in the box again
    const err = refusal(() => l.acquireExecution('a')); // and only one
    expect(err.message).toContain('2 executions are running in box a');
  });

  it('a box whose last execution ends leaves the per-box count', () => {
    const l = limits({ maxExecutionsPerBox: 1 });
    const ra = l.acquireExecution('a');
    const rb = l.acquireExecution('b');
    expect(l.usage().boxesWithExecutions).toBe(2);
    ra();
    expect(l.usage()).toMatchObject({ executions: 1, boxesWithExecutions: 1 });
    rb();
    expect(l.usage()).toMatchObject({ executions: 0, boxesWithExecutions: 0 });
    l.acquireExecution('a'); // and the box can run again
    refusal(() => l.acquireExecution('a'));
  });

  it('releasing every slot of many boxes leaves nothing tracked', () => {
    const l = limits({ maxExecutions: 1000, maxExecutionsPerBox: 3 });
    const releases = [];
    for (let i = 0; i < 50; i++) for (let j = 0; j < 3; j++) releases.push(l.acquireExecution(`box-${i}`));
    expect(l.usage()).toMatchObject({ executions: 150, boxesWithExecutions: 50 });
    for (const r of releases) { r(); r(); }
    expect(l.usage()).toMatchObject({ executions: 0, boxesWithExecutions: 0 });
  });
});

describe('the cap on attached WebSockets and on file transfers', () => {
  const kinds = [
    {
      name: 'attached WebSockets',
      option: 'maxAttachSockets' as const,
      acquire: (l: Limits) => l.acquireAttachSocket(),
      count: (l: Limits) => l.usage().attachSockets,
      what: (n: number) => `${n} WebSockets are attached`,
    },
    {
      name: 'file transfers',
      option: 'maxFileTransfers' as const,
      acquire: (l: Limits) => l.acquireFileTransfer(),
      count: (l: Limits) => l.usage().fileTransfers,
      what: (n: number) => `${n} file transfers are in progress`,
    },
  ];

  for (const k of kinds) {
    describe(k.name, () => {
      it('accepts n-1 and the n-th, refuses the one after with count, limit and option', () => {
        const l = limits({ [k.option]: 2 });
        k.acquire(l);
        expect(k.count(l)).toBe(1);
        k.acquire(l);
        expect(k.count(l)).toBe(2);
        const err = refusal(() => k.acquire(l));
        expect(err.message).toBe(`resource exhausted: ${k.what(2)} (limit 2, option ${k.option}); retry later`);
        expect(k.count(l)).toBe(2);
      });

      it('a release frees exactly one slot, however often it is called', () => {
        const l = limits({ [k.option]: 2 });
        const first = k.acquire(l);
        k.acquire(l);
        first();
        first();
        first();
        expect(k.count(l)).toBe(1);
        k.acquire(l);
        refusal(() => k.acquire(l));
      });

      it('does not touch the other counts', () => {
        const l = limits({ [k.option]: 1 });
        k.acquire(l);
        const u = l.usage();
        const others = Object.entries(u).filter(([key]) => key !== (k.option === 'maxAttachSockets' ? 'attachSockets' : 'fileTransfers'));
        expect(others.every(([, v]) => v === 0)).toBe(true);
      });
    });
  }
});

describe('the cap on boxes', () => {
  it('counts the listed boxes: n-1 listed may create one more, n listed may not', () => {
    const l = limits({ maxBoxes: 5 });
    const release = l.acquireBoxCreation(4, l.boxCountMark());
    expect(l.usage().pendingBoxes).toBe(1);
    release(false);
    expect(l.usage().pendingBoxes).toBe(0);
    const err = refusal(() => l.acquireBoxCreation(5, l.boxCountMark()));
    expect(err.message).toBe('resource exhausted: 5 boxes exist (0 being created) (limit 5, option maxBoxes); retry later');
  });

  it('counts creates still in flight', () => {
    const l = limits({ maxBoxes: 3 });
    l.acquireBoxCreation(1, l.boxCountMark());
    expect(l.usage().pendingBoxes).toBe(1);
    l.acquireBoxCreation(1, l.boxCountMark()); // 1 listed + 1 pending < 3
    expect(l.usage().pendingBoxes).toBe(2);
    const err = refusal(() => l.acquireBoxCreation(1, l.boxCountMark())); // 1 + 2 pending = 3
    expect(err.message).toContain('1 boxes exist (2 being created) (limit 3, option maxBoxes)');
  });

  it('counts creates that finished after the mark, which the listing may have missed', () => {
    const l = limits({ maxBoxes: 3 });
    expect(l.boxCountMark()).toBe(0);
    const mark = l.boxCountMark(); // a listing starts here and sees 1 box
    l.acquireBoxCreation(0, 0)(true); // meanwhile, two creates finish
    l.acquireBoxCreation(0, 0)(true);
    expect(l.boxCountMark()).toBe(2);
    // 1 listed + 2 created since the mark = 3 = the cap.
    const err = refusal(() => l.acquireBoxCreation(1, mark));
    expect(err.message).toContain('3 boxes exist (0 being created)');
    // A listing that started after those creates has seen them already.
    l.acquireBoxCreation(2, l.boxCountMark())(false);
    refusal(() => l.acquireBoxCreation(3, l.boxCountMark()));
  });

  it('a create that failed does not count, and its release is safe twice', () => {
    const l = limits({ maxBoxes: 2 });
    const release = l.acquireBoxCreation(0, 0);
    release(false);
    release(true); // a second call changes nothing, whatever it says
    release(false);
    expect(l.boxCountMark()).toBe(0);
    expect(l.usage().pendingBoxes).toBe(0);
    l.acquireBoxCreation(1, 0); // 1 listed + 0 since the mark + 0 pending < 2
  });

  it('a create that succeeded counts once, even when released twice', () => {
    const l = limits({ maxBoxes: 10 });
    const release = l.acquireBoxCreation(0, 0);
    release(true);
    release(true);
    expect(l.boxCountMark()).toBe(1);
    expect(l.usage().pendingBoxes).toBe(0);
  });
});

describe('usage()', () => {
  it('reports every count, starting from zero', () => {
    const l = limits({});
    expect(l.usage()).toEqual({ executions: 0, boxesWithExecutions: 0, attachSockets: 0, fileTransfers: 0, pendingBoxes: 0 });
    l.acquireExecution('a');
    l.acquireExecution('a');
    l.acquireAttachSocket();
    l.acquireFileTransfer();
    l.acquireFileTransfer();
    l.acquireFileTransfer();
    l.acquireBoxCreation(0, 0);
    expect(l.usage()).toEqual({ executions: 2, boxesWithExecutions: 1, attachSockets: 1, fileTransfers: 3, pendingBoxes: 1 });
  });
});

describe('defaultMaxExecutions(fdLimit)', () => {
  it('is 512 when the limit is unknown', () => {
    expect(DEFAULT_MAX_EXECUTIONS).toBe(512);
    expect(defaultMaxExecutions(null)).toBe(512);
  });

  it('keeps 256 descriptors aside and allows 8 per execution: floor((n - 256) / 8)', () => {
    expect(defaultMaxExecutions(1000)).toBe(93); // 744 / 8
    expect(defaultMaxExecutions(1024)).toBe(96);
    expect(defaultMaxExecutions(271)).toBe(1); // 15 / 8
    expect(defaultMaxExecutions(272)).toBe(2);
    expect(defaultMaxExecutions(279)).toBe(2);
    expect(defaultMaxExecutions(280)).toBe(3);
  });

  it('never exceeds 512, reached exactly at 256 + 8 * 512 descriptors', () => {
    expect(defaultMaxExecutions(4351)).toBe(511);
    expect(defaultMaxExecutions(4352)).toBe(512);
    expect(defaultMaxExecutions(4360)).toBe(512);
    expect(defaultMaxExecutions(1_048_576)).toBe(512);
  });

  it('is at least 1, however few descriptors there are', () => {
    expect(defaultMaxExecutions(264)).toBe(1);
    expect(defaultMaxExecutions(263)).toBe(1);
    expect(defaultMaxExecutions(256)).toBe(1);
    expect(defaultMaxExecutions(1)).toBe(1);
  });

  it('by default follows this process\'s own limit', () => {
    expect(defaultMaxExecutions()).toBe(defaultMaxExecutions(openFileLimit()));
  });
});

describe('openFileLimit() reads the real soft RLIMIT_NOFILE', () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /**
   * A shell whose descriptor limit is `n` (`ulimit -n`), waiting on its stdin
   * so its /proc/<pid>/limits can be read; it exits when the test ends stdin
   * (afterEach), or is killed.
   */
  async function shellWithLimit(n: number): Promise<ChildProcess & { pid: number }> {
    const child = spawn('sh', ['-c', `ulimit -n ${n} && echo ready && read x`], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`sh exited with ${code} before it was ready`)));
      child.stdout!.once('data', () => resolve());
    });
    return child as ChildProcess & { pid: number };
  }

  it('of this process: the same number a child shell inherits (ulimit -Sn)', () => {
    const inherited = Number(execFileSync('sh', ['-c', 'ulimit -Sn'], { encoding: 'utf8' }).trim());
    expect(inherited).toBeGreaterThan(0);
    expect(openFileLimit()).toBe(inherited);
  });

  it('of a process started with ulimit -n 1000', async () => {
    const child = await shellWithLimit(1000);
    expect(openFileLimit(`/proc/${child.pid}/limits`)).toBe(1000);
    expect(defaultMaxExecutions(openFileLimit(`/proc/${child.pid}/limits`))).toBe(93);
    child.stdin!.end();
  });

  it('of a process started with ulimit -n 0: null (no usable limit), so the default stays 512', async () => {
    const child = await shellWithLimit(0);
    expect(openFileLimit(`/proc/${child.pid}/limits`)).toBeNull();
    child.stdin!.end();
  });

  it('"unlimited" is no number: null', async () => {
    // Linux refuses RLIM_INFINITY for RLIMIT_NOFILE (it must stay <= fs.nr_open),
    // so no real process shows it: take a real limits file and put the word in.
    const child = await shellWithLimit(1000);
    const real = readFileSync(`/proc/${child.pid}/limits`, 'utf8');
    child.stdin!.end();
    const edited = real.replace(/^(Max open files +)1000( +)/m, (_, name: string, gap: string) => `${name}unlimited${gap.slice(5)}`);
    expect(edited).not.toBe(real);
    const dir = mkdtempSync(join(tmpdir(), 'limits-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'limits'), edited);
    expect(openFileLimit(join(dir, 'limits'))).toBeNull();
  });

  it('picks the "Max open files" line, not another limit', async () => {
    // Max processes, Max pending signals and others come before or after it with other numbers.
    const child = await shellWithLimit(777);
    const path = `/proc/${child.pid}/limits`;
    expect(readFileSync(path, 'utf8')).toMatch(/^Max processes /m);
    expect(openFileLimit(path)).toBe(777);
    child.stdin!.end();
  });

  it('null for a file without that line, and for a file that cannot be read', () => {
    expect(openFileLimit('/proc/self/status')).toBeNull();
    expect(openFileLimit('/proc/self/no-such-file')).toBeNull();
  });
});
