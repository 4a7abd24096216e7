// Executions through the addon: streaming, stdin, signals, timeouts, spawn
// failures and concurrency, against the test engine.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { classifyError } from '../lib/classify';
import { InternalError, InvalidArgumentError } from '../lib/errors';
import type { Box, Execution, Runtime } from '../lib/runtime';
import { openEngineRuntime, tmpDir } from './native-helpers';

let rt: Runtime;
let box: Box;

beforeAll(async () => {
  ({ runtime: rt } = await openEngineRuntime());
  box = await rt.createBox({ image: 'alpine:latest', name: 'exec-suite' });
});
afterAll(async () => {
  await rt?.close();
});

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

describe('output', () => {
  it('delivers stdout and stderr completely before wait() resolves, and exit last', async () => {
    const execution = await box.exec('sh', ['-c', 'for i in 1 2 3; do echo out$i; echo err$i >&2; done; exit 5']);
    const events = record(execution);
    const ended: string[] = [];
    execution.stdout.on('end', () => ended.push('stdout'));
    execution.stderr.on('end', () => ended.push('stderr'));
    const code = await execution.wait();
    // Everything was pushed (and, with 'data' listeners, emitted) before wait() settled.
    expect(code).toBe(5);
    expect(execution.exitCode).toBe(5);
    expect(events.filter(([s]) => s === 'out').map(([, t]) => t).join('')).toBe('out1\nout2\nout3\n');
    expect(events.filter(([s]) => s === 'err').map(([, t]) => t).join('')).toBe('err1\nerr2\nerr3\n');
    await new Promise((r) => setImmediate(r));
    expect(ended.sort()).toEqual(['stderr', 'stdout']);
  });

  it('streams 32 MiB of stdout byte-exactly (coalesced chunks)', async () => {
    // 32 MiB of lines "0000000\n".. : printable, so libboxlite's UTF-8 decoding keeps it byte-exact.
    const lines = 4 * 1024 * 1024;
    const execution = await box.exec('sh', ['-c', `seq -w 0 ${lines - 1}`]);
    const hash = createHash('sha256');
    let bytes = 0;
    let chunks = 0;
    execution.stdout.on('data', (d: Buffer) => {
      hash.update(d);
      bytes += d.length;
      chunks++;
    });
    expect(await execution.wait()).toBe(0);
    const expected = createHash('sha256');
    for (let i = 0; i < lines; i++) expected.update(String(i).padStart(7, '0') + '\n');
    expect(bytes).toBe(lines * 8);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
    expect(chunks).toBeGreaterThan(0);
  });

  it('run() collects text and exit codes', async () => {
    expect(await box.run('sh', ['-c', 'printf "a\\nb"; printf x >&2'])).toEqual({ exitCode: 0, stdout: 'a\nb', stderr: 'x' });
    expect((await box.run('sh', ['-c', 'exit 255'])).exitCode).toBe(255);
    expect((await box.run('false')).exitCode).toBe(1);
  });

  it('passes env, workdir, user and tty', async () => {
    const env = await box.run('sh', ['-c', 'echo "$GREETING"; pwd'], { env: { GREETING: 'hi there' }, workdir: '/srv/app' });
    expect(env.stdout).toMatch(/^hi there\n.*\/srv\/app\n$/);
    const numericUser = await box.run('true', [], { user: String(process.getuid?.() ?? 0) });
    expect(numericUser.exitCode).toBe(0);
    // tty: one merged stream, and the command sees a terminal.
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
});

describe('kill, signals, timeout, abort', () => {
  it('kill() ends a running command with -9', async () => {
    const execution = await box.exec('sleep', ['30']);
    const started = Date.now();
    await execution.kill();
    expect(await execution.wait()).toBe(-9);
    expect(Date.now() - started).toBeLessThan(5000);
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
    const execution = await box.exec('sleep', ['30'], { timeoutSecs: 0.3 });
    const code = await execution.wait();
    expect(code).toBeLessThan(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('an AbortSignal kills the execution; a pre-aborted one prevents it', async () => {
    const controller = new AbortController();
    const execution = await box.exec('sleep', ['30'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await execution.wait()).toBe(-9);

    const aborted = AbortSignal.abort();
    const err = await box.exec('sleep', ['30'], { signal: aborted }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
  });

  it('resize() works on a tty execution', async () => {
    const execution = await box.exec('sh', ['-c', 'read x; stty size'], { tty: true });
    await execution.resize(100, 40);
    execution.stdin.write('go\n');
    let out = '';
    execution.stdout.on('data', (d: Buffer) => (out += d.toString()));
    expect(await execution.wait()).toBe(0);
    expect(out).toContain('40 100');
  });
});

describe('spawn failures', () => {
  it('unknown user, missing binary and non-executable file are InternalError, classified 400/422/422', async () => {
    const user = await box.exec('true', [], { user: 'nosuchuser' }).catch((e: unknown) => e);
    expect(user).toBeInstanceOf(InternalError);
    expect((user as Error).message).toMatch(/^internal error: spawn_failed: internal error: User 'nosuchuser' not found in .*\/etc\/passwd$/);
    expect(classifyError(user).status).toBe(400);

    const missing = await box.exec('no-such-binary-xyz').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InternalError);
    expect((missing as Error).message).toMatch(/^internal error: spawn_failed: .*executable 'no-such-binary-xyz' not found in \$PATH$/);
    expect(classifyError(missing).status).toBe(422);

    const file = path.join(tmpDir(), 'not-executable.sh');
    fs.writeFileSync(file, '#!/bin/sh\necho hi\n', { mode: 0o644 });
    const noexec = await box.exec(file).catch((e: unknown) => e);
    expect(noexec).toBeInstanceOf(InternalError);
    expect((noexec as Error).message).toContain('does not have correct permissions');
    expect(classifyError(noexec).status).toBe(422);
  });

  it('bad exec arguments are InvalidArgumentError (ours or the engine\'s text)', async () => {
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
  it('runs 200 executions at once with exact, unmixed output', async () => {
    const n = 200;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        box.run('sh', ['-c', `i=0; while [ $i -lt 50 ]; do echo "exec-${i}-line-$i"; i=$((i+1)); done; echo "done-${i}" >&2; exit ${i % 256}`]),
      ),
    );
    results.forEach((r, i) => {
      const expected = Array.from({ length: 50 }, (_, j) => `exec-${i}-line-${j}\n`).join('');
      expect(r).toEqual({ exitCode: i % 256, stdout: expected, stderr: `done-${i}\n` });
    });
  });
});
