// Scenarios shared by the test-engine suite (native-exec.test.ts) and the
// real-libboxlite suite (real-engine.test.ts): one runtime, one box, then
// boxes, streaming, stdin, signals, timeouts, spawn failures, misuse and
// concurrency, and finally close() with work still running.
//
// Not a test file itself: call defineRuntimeScenarios() inside a suite.
import { createHash } from 'node:crypto';
import { finished } from 'node:stream/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { classifyError } from '../lib/errors/classify';
import {
  BoxliteError,
  InternalError,
  InvalidArgumentError,
  InvalidStateError,
  NotFoundError,
  StoppedError,
  isBoxliteError,
} from '../lib/errors/errors';
import type { Box, Execution, Runtime } from '../lib/runtime/runtime';

export interface ScenarioTarget {
  /** Opens the runtime every scenario uses (closed by the last scenario). */
  open(): Promise<Runtime>;
  /** Image of the boxes created. */
  image: string;
  /** How many executions run at once in the concurrency scenario. */
  concurrency: number;
  /**
   * 'test': the test engine, whose exact behaviors (exit code -9 on timeout,
   * message texts of its own) are asserted too; 'real': only what libboxlite
   * documents.
   */
  engine: 'test' | 'real';
  /** For opening the runtime and creating the first box (a real engine may pull the image then). */
  setupTimeoutMs?: number;
}

/** Every 'data' chunk of both streams, recorded in arrival order. */
function record(execution: Execution): Array<['out' | 'err', string]> {
  const events: Array<['out' | 'err', string]> = [];
  execution.stdout.on('data', (d: Buffer) => events.push(['out', d.toString()]));
  execution.stderr.on('data', (d: Buffer) => events.push(['err', d.toString()]));
  return events;
}

function waitForText(execution: Execution, text: string): Promise<void> {
  return new Promise((resolve) => {
    let seen = '';
    execution.stdout.on('data', (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(text)) resolve();
    });
  });
}

function writeAfter(execution: Execution, data: string): Promise<unknown> {
  return new Promise((resolve) => {
    execution.stdin.once('error', resolve);
    execution.stdin.write(data);
  });
}

export function defineRuntimeScenarios(target: ScenarioTarget): void {
  let rt: Runtime;
  let box: Box;

  beforeAll(async () => {
    rt = await target.open();
    box = await rt.createBox({ image: target.image, name: `scenarios-${process.pid}` });
  }, target.setupTimeoutMs);
  afterAll(async () => {
    await rt?.close();
  });

  describe('boxes', () => {
    it('creates, finds, lists, inspects and removes a box', async () => {
      const name = `lifecycle-${process.pid}`;
      const other = await rt.createBox({ image: target.image, name, cpus: 1, memoryMib: 256, env: { A: '1' } });
      expect(other.id).toMatch(/^\S+$/);
      expect(other.name).toBe(name);
      expect((await rt.getBox(name)).id).toBe(other.id);
      expect((await rt.getBox(other.id)).name).toBe(name);
      expect(await rt.findBox(`missing-${process.pid}`)).toBeNull();
      const missing = await rt.getBox(`missing-${process.pid}`).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(NotFoundError);
      expect((missing as Error).message).toMatch(/^box not found: /);
      expect(await other.info()).toMatchObject({ id: other.id, name, cpus: 1, memoryMib: 256 });
      expect((await rt.listBoxes()).map((b) => b.id)).toContain(other.id);
      expect(await other.run('sh', ['-c', 'echo "$A"'])).toEqual({ exitCode: 0, stdout: '1\n', stderr: '' });
      expect((await other.metrics()).commandsExecuted).toBeGreaterThanOrEqual(1);
      expect((await rt.metrics()).boxesCreatedTotal).toBeGreaterThanOrEqual(2);
      await rt.removeBox(name, { force: true });
      expect((await rt.listBoxes()).map((b) => b.id)).not.toContain(other.id);
      await expect(rt.removeBox(name)).rejects.toBeInstanceOf(NotFoundError);
      const err = await other.exec('true').catch((e: unknown) => e); // exec on a removed box
      expect(err).toBeInstanceOf(BoxliteError);
      expect([NotFoundError, StoppedError, InvalidStateError].some((C) => err instanceof C)).toBe(true);
    });
  });

  describe('output', () => {
    it('has every byte of stdout and stderr in the streams, ended, when wait() resolves', async () => {
      const execution = await box.exec('sh', ['-c', 'for i in 1 2 3; do echo out$i; echo err$i >&2; done; exit 5']);
      expect(await execution.wait()).toBe(5);
      expect(execution.exitCode).toBe(5);
      // Nothing was read yet: all output must already be buffered in the
      // streams, and both ended (read() in paused mode returns it all at once).
      expect(String(execution.stdout.read())).toBe('out1\nout2\nout3\n');
      expect(String(execution.stderr.read())).toBe('err1\nerr2\nerr3\n');
      await Promise.all([finished(execution.stdout), finished(execution.stderr)]);
    });

    it('emits all data before stdout ends, to listeners attached early', async () => {
      const execution = await box.exec('sh', ['-c', 'sleep 0.2; for i in 1 2 3; do echo out$i; echo err$i >&2; done']);
      const events = record(execution);
      let eventsAtEnd = -1;
      execution.stdout.on('end', () => (eventsAtEnd = events.length));
      expect(await execution.wait()).toBe(0);
      expect(events.filter(([s]) => s === 'out').map(([, t]) => t).join('')).toBe('out1\nout2\nout3\n');
      expect(events.filter(([s]) => s === 'err').map(([, t]) => t).join('')).toBe('err1\nerr2\nerr3\n');
      await finished(execution.stdout);
      expect(eventsAtEnd).toBe(events.length);
    });

    it('streams 32 MiB of stdout byte-exactly', async () => {
      // Lines "0000000\n".. are printable, so libboxlite's UTF-8 decoding keeps them byte-exact.
      const lines = 4 * 1024 * 1024;
      const execution = await box.exec('seq', ['-w', '0', String(lines - 1)]);
      const hash = createHash('sha256');
      let bytes = 0;
      execution.stdout.on('data', (d: Buffer) => {
        hash.update(d);
        bytes += d.length;
      });
      expect(await execution.wait()).toBe(0);
      const expected = createHash('sha256');
      for (let i = 0; i < lines; i++) expected.update(String(i).padStart(7, '0') + '\n');
      expect(bytes).toBe(lines * 8);
      expect(hash.digest('hex')).toBe(expected.digest('hex'));
    });

    it('run() collects text and exit codes', async () => {
      expect(await box.run('sh', ['-c', 'printf "a\\nb"; printf x >&2'])).toEqual({ exitCode: 0, stdout: 'a\nb', stderr: 'x' });
      expect((await box.run('sh', ['-c', 'exit 255'])).exitCode).toBe(255);
      expect((await box.run('false')).exitCode).toBe(1);
    });

    it('passes env, workdir, a numeric user and tty', async () => {
      const env = await box.run('sh', ['-c', 'echo "$GREETING"; pwd'], { env: { GREETING: 'hi there' }, workdir: '/srv/app' });
      expect(env.stdout).toMatch(/^hi there\n(.*\/)?srv\/app\n$/);
      expect((await box.run('true', [], { user: '0' })).exitCode).toBe(0);
      const tty = await box.run('sh', ['-c', 'test -t 1 && echo tty; echo merged >&2'], { tty: true });
      expect(tty.stdout.replace(/\r/g, '')).toBe('tty\nmerged\n');
      expect(tty.stderr).toBe('');
    });
  });

  describe('stdin', () => {
    it('round-trips data written to stdin; end() sends EOF', async () => {
      const execution = await box.exec('cat');
      const out: Buffer[] = [];
      execution.stdout.on('data', (d: Buffer) => out.push(d));
      const payload = Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`).join('');
      execution.stdin.write(payload.slice(0, 1000));
      execution.stdin.write(Buffer.from(payload.slice(1000)));
      execution.stdin.end();
      expect(await execution.wait()).toBe(0);
      expect(Buffer.concat(out).toString()).toBe(payload);
    });

    it('interleaves request/response over stdin and stdout', async () => {
      const execution = await box.exec('sh', ['-c', 'while read line; do echo "got:$line"; done']);
      for (const word of ['alpha', 'beta', 'gamma']) {
        const reply = waitForText(execution, `got:${word}\n`);
        execution.stdin.write(`${word}\n`);
        await reply;
      }
      execution.stdin.end();
      expect(await execution.wait()).toBe(0);
    });

    it('stdin after end() fails like any Node stream; after exit it is InvalidStateError', async () => {
      const execution = await box.exec('cat');
      execution.stdin.end('last\n');
      const afterEnd = await writeAfter(execution, 'more');
      expect((afterEnd as NodeJS.ErrnoException).code).toBe('ERR_STREAM_WRITE_AFTER_END');
      expect(await execution.wait()).toBe(0);

      const exited = await box.exec('true');
      await exited.wait();
      const afterExit = await writeAfter(exited, 'too late');
      expect(afterExit).toBeInstanceOf(InvalidStateError);
      expect((afterExit as Error).message).toBe('invalid state: the execution has exited; its stdin is closed');
    });
  });

  describe('kill, signals, timeout, abort', () => {
    it('kill() ends a running command with -9', async () => {
      const execution = await box.exec('sleep', ['30']);
      const started = Date.now();
      await execution.kill();
      expect(await execution.wait()).toBe(-9);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('signal() delivers a catchable signal', async () => {
      const execution = await box.exec('sh', ['-c', 'trap "echo got-term; exit 7" TERM; echo ready; while :; do sleep 0.05; done']);
      let out = '';
      execution.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await waitForText(execution, 'ready');
      await execution.signal(15);
      expect(await execution.wait()).toBe(7);
      expect(out).toBe('ready\ngot-term\n');
    });

    it('timeoutSecs is enforced by the engine', async () => {
      const started = Date.now();
      const execution = await box.exec('sleep', ['30'], { timeoutSecs: 0.5 });
      const code = await execution.wait();
      // libboxlite does not document the code it reports on timeout; the test engine reports SIGKILL.
      if (target.engine === 'test') expect(code).toBe(-9);
      else expect(code).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it('an AbortSignal kills the execution; a pre-aborted one prevents it', async () => {
      const controller = new AbortController();
      const execution = await box.exec('sleep', ['30'], { signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      expect(await execution.wait()).toBe(-9);
      const err = await box.exec('sleep', ['30'], { signal: AbortSignal.abort() }).catch((e: unknown) => e);
      expect((err as Error).name).toBe('AbortError');
    });

    it('resize() reaches a tty execution', async () => {
      const execution = await box.exec('sh', ['-c', 'read x; stty size'], { tty: true });
      await execution.resize(100, 40);
      execution.stdin.write('go\n');
      let out = '';
      execution.stdout.on('data', (d: Buffer) => (out += d.toString()));
      expect(await execution.wait()).toBe(0);
      expect(out).toContain('40 100');
    });

    it('wait() twice gives the same code; kill/signal/resize after exit are no-ops', async () => {
      const execution = await box.exec('sh', ['-c', 'exit 3']);
      expect(await execution.wait()).toBe(3);
      expect(await execution.wait()).toBe(3);
      await expect(execution.kill()).resolves.toBeUndefined();
      await expect(execution.signal(15)).resolves.toBeUndefined();
      await expect(execution.resize(80, 24)).resolves.toBeUndefined();
    });

    it('invalid signal numbers and sizes are InvalidArgumentError', async () => {
      const execution = await box.exec('sleep', ['30'], { tty: true });
      const sig = await execution.signal(0).catch((e: unknown) => e);
      expect(sig).toBeInstanceOf(InvalidArgumentError);
      expect((sig as Error).message).toBe('invalid argument: signal must be in 1..=64, got 0');
      await expect(execution.signal(65)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(execution.signal(1.5)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(execution.resize(0, 24)).rejects.toBeInstanceOf(InvalidArgumentError);
      await execution.kill();
      expect(await execution.wait()).toBe(-9);
    });
  });

  describe('spawn failures and bad arguments', () => {
    it('unknown user, missing binary, non-executable file: InternalError, classified 400/422/422', async () => {
      const user = await box.exec('true', [], { user: 'nosuchuser' }).catch((e: unknown) => e);
      expect(user).toBeInstanceOf(InternalError);
      expect((user as Error).message).toMatch(/^internal error: spawn_failed: .*User 'nosuchuser' not found in .*\/etc\/passwd$/);
      expect(classifyError(user).status).toBe(400);

      const missing = await box.exec('no-such-binary-xyz').catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(InternalError);
      expect((missing as Error).message).toMatch(/^internal error: spawn_failed: .*executable 'no-such-binary-xyz' not found in \$PATH$/);
      expect(classifyError(missing).status).toBe(422);

      // A file without the execute bit, made inside the box.
      await box.run('sh', ['-c', 'printf "echo hi\\n" > noexec.sh && chmod 644 noexec.sh'], { workdir: '/tmp' });
      const noexec = await box.exec('./noexec.sh', [], { workdir: '/tmp' }).catch((e: unknown) => e);
      expect(noexec).toBeInstanceOf(InternalError);
      expect((noexec as Error).message).toMatch(/^internal error: spawn_failed: .*does not have correct permissions/);
      expect(classifyError(noexec).status).toBe(422);
    });

    it('bad exec arguments are InvalidArgumentError', async () => {
      await expect(box.exec('')).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(box.exec('echo', 'x' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(box.exec('echo', [], { env: { A: 1 as never } })).rejects.toBeInstanceOf(InvalidArgumentError);
      const negative = await box.exec('true', [], { timeoutSecs: -1 }).catch((e: unknown) => e);
      expect(negative).toBeInstanceOf(InvalidArgumentError);
      expect((negative as Error).message).toBe('invalid argument: timeout_seconds must be a non-negative finite number');
      await expect(box.exec('true', [], { timeoutSecs: Number.NaN })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(box.exec('echo', ['a\0b'])).rejects.toBeInstanceOf(InvalidArgumentError);
    });
  });

  describe('concurrency', () => {
    it(`runs ${target.concurrency} executions at once with exact, unmixed output`, async () => {
      const results = await Promise.all(
        Array.from({ length: target.concurrency }, (_, i) =>
          box.run('sh', ['-c', `i=0; while [ $i -lt 50 ]; do echo "exec-${i}-line-$i"; i=$((i+1)); done; echo "done-${i}" >&2; exit ${i % 256}`]),
        ),
      );
      results.forEach((r, i) => {
        const expected = Array.from({ length: 50 }, (_, j) => `exec-${i}-line-${j}\n`).join('');
        expect(r).toEqual({ exitCode: i % 256, stdout: expected, stderr: `done-${i}\n` });
      });
    });
  });

  describe('close', () => {
    // Last: it closes the shared runtime.
    it('ends running executions (wait() resolves, streams end); every later call is StoppedError', async () => {
      const running = await Promise.all([box.exec('sleep', ['30']), box.exec('cat'), box.exec('sh', ['-c', 'echo partial; sleep 30'])]);
      await waitForText(running[2], 'partial\n');
      await Promise.all([rt.close(), rt.close()]);
      expect(rt.closed).toBe(true);
      for (const code of await Promise.all(running.map((e) => e.wait()))) expect(code).toBeLessThan(0);
      await Promise.all(running.flatMap((e) => [finished(e.stdout.resume()), finished(e.stderr.resume())]));
      await expect(running[0].kill()).resolves.toBeUndefined();
      expect(await writeAfter(running[1], 'x')).toBeInstanceOf(StoppedError);
      for (const call of [rt.createBox({ image: target.image }), rt.getBox(box.id), rt.listBoxes(), rt.metrics(), box.start(), box.info(), box.exec('true'), box.run('true')]) {
        const err = await call.catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StoppedError);
        expect(isBoxliteError(err, 11)).toBe(true);
        expect((err as Error).message).toBe('stopped: runtime is closed');
      }
    });
  });
}
