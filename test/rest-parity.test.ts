// Parity of Runtime.rest() with the embedded runtime: ONE scenario suite, run
// twice (describe.each): against the embedded runtime on the test engine, and
// against Runtime.rest() over a real `boxlite-native serve --engine test`
// child, faults injected through the test engine on that server's home. Each
// mode asserts the outcomes; the final block checks that both modes recorded
// the same outputs, exit codes, error classes, codes, messages and HTTP
// classifications.
//
// With BOXLITE_OPENAPI set (BoxLite's openapi/box.openapi.yaml), every request
// Runtime.rest() sent is validated against that document.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../lib/errors/classify';
import { BoxliteError, InternalError, NotFoundError, ResourceExhaustedError } from '../lib/errors/errors';
import { REQUEST_CHANNEL, type RequestMessage } from '../lib/remote/http-client';
import { Runtime } from '../lib/runtime/runtime';
import type { Box, Runtime as RuntimeApi } from '../lib/runtime/runtime-types';
import { type FaultRule, clearFaults, injectFault, openTestRuntime } from '../lib/testing';
import { type RunningCli, startCli, stopCli } from './cli-support';
import { OpenApiValidator } from './openapi-validator';

type Mode = 'embedded' | 'rest';

interface Target {
  /** Default options (REST: retries on). */
  rt: RuntimeApi;
  /** For outcomes that must not be retried (REST: retry false); embedded: the same runtime. */
  strict: RuntimeApi;
  home: string;
  close(): Promise<void>;
}

const sent: RequestMessage[] = [];
const onRequest = (m: unknown) => sent.push(m as RequestMessage);

async function openTarget(mode: Mode): Promise<Target> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), `boxlite-parity-${mode}-`));
  if (mode === 'embedded') {
    const t = await openTestRuntime({ homeDir: home });
    return {
      rt: t.runtime, strict: t.runtime, home,
      close: async () => { await t.close(); fs.rmSync(home, { recursive: true, force: true }); },
    };
  }
  const cli: RunningCli = await startCli(['--engine', 'test', '--home', home, '--auth', 'none', '--limit', 'maxBoxes=5000']);
  subscribe(REQUEST_CHANNEL, onRequest);
  // Fast backoff for the test; Retry-After (1 s from this server) still wins.
  const rt = await Runtime.rest({ url: cli.origin, retry: { baseDelayMs: 20, maxDelayMs: 200 } });
  const strict = await Runtime.rest({ url: cli.origin, retry: false });
  return {
    rt, strict, home,
    close: async () => {
      unsubscribe(REQUEST_CHANNEL, onRequest);
      await rt.close();
      await strict.close();
      await stopCli(cli);
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** What both modes must agree on, per scenario. */
const outcomes = new Map<string, Partial<Record<Mode, unknown>>>();
function record(mode: Mode, key: string, value: unknown): void {
  const entry = outcomes.get(key) ?? {};
  entry[mode] = value;
  outcomes.set(key, entry);
}

interface ErrorOutcome {
  className: string;
  boxliteCode: number;
  code: string;
  message: string;
  http: { status: number; type: string; code: string };
}

async function failure(p: Promise<unknown>): Promise<ErrorOutcome & { err: BoxliteError }> {
  const err = await p.then(() => { throw new Error('expected a rejection'); }, (e: unknown) => e);
  expect(err).toBeInstanceOf(BoxliteError);
  const e = err as BoxliteError;
  const c = classifyError(e);
  return { err: e, className: e.constructor.name, boxliteCode: e.boxliteCode, code: e.code, message: e.message, http: { status: c.status, type: c.type, code: c.code } };
}

function outcomeOf(f: ErrorOutcome & { err: BoxliteError }): ErrorOutcome {
  const { err: _err, ...rest } = f;
  return rest;
}

function rule(r: FaultRule): FaultRule {
  return r;
}

/** More boxes than the largest page (BoxLite's pageSize maximum is 1000). */
const MANY = 1005;

describe.each<Mode>(['embedded', 'rest'])('%s runtime', (mode) => {
  let t: Target;
  let box: Box;

  const inject = (r: FaultRule) => {
    clearFaults(t.home);
    injectFault(t.home, r);
  };

  beforeAll(async () => {
    t = await openTarget(mode);
    box = await t.rt.createBox({ image: 'alpine:latest', name: 'parity', autoRemove: false });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('runs a command: stdout, stderr, exit code', async () => {
    const r = await box.run('sh', ['-c', 'printf out; printf err >&2; exit 7']);
    expect(r).toEqual({ exitCode: 7, stdout: 'out', stderr: 'err' });
    record(mode, 'run', r);
  });

  it('streams stdin to the command and its output back', async () => {
    const ex = await box.exec('cat');
    const chunks: Buffer[] = [];
    ex.stdout.on('data', (c: Buffer) => chunks.push(c));
    ex.stdin.write('line one\n');
    ex.stdin.end('line two\n');
    const code = await ex.wait();
    expect(code).toBe(0);
    expect(Buffer.concat(chunks).toString()).toBe('line one\nline two\n');
    expect(typeof ex.id).toBe('string');
    record(mode, 'stdin', { code, out: Buffer.concat(chunks).toString() });
  });

  it('streams a large output completely, in order', async () => {
    const ex = await box.exec('sh', ['-c', 'i=0; while [ $i -lt 20000 ]; do echo "line $i"; i=$((i+1)); done']);
    let text = '';
    ex.stdout.setEncoding('utf8');
    ex.stdout.on('data', (c: string) => { text += c; });
    expect(await ex.wait()).toBe(0);
    const lines = text.trimEnd().split('\n');
    expect(lines.length).toBe(20000);
    expect(lines[19999]).toBe('line 19999');
    record(mode, 'large-output', { bytes: text.length, last: lines[19999] });
  });

  it('missing box: NotFoundError, same code and message', async () => {
    const f = await failure(t.rt.getBox('no-such-box'));
    expect(f.err).toBeInstanceOf(NotFoundError);
    expect(await t.rt.findBox('no-such-box')).toBeNull();
    const g = await failure(t.rt.removeBox('no-such-box'));
    record(mode, 'missing-box', [outcomeOf(f), outcomeOf(g)]);
    if (mode === 'rest') {
      expect((f.err as BoxliteError & { status: number }).status).toBe(404);
      expect(typeof (f.err as BoxliteError & { requestId: string }).requestId).toBe('string');
    }
  });

  it('missing binary: InternalError whose classification is 422 execution_failed', async () => {
    const f = await failure(box.exec('no-such-binary-xyz'));
    expect(f.err).toBeInstanceOf(InternalError);
    expect(f.http).toEqual({ status: 422, type: 'ExecutionError', code: 'execution_failed' });
    expect(f.message).toContain("executable 'no-such-binary-xyz' not found in $PATH");
    record(mode, 'missing-binary', outcomeOf(f));
  });

  // Every code at exec, half with the engine's own texts (Display prefix),
  // half with texts that carry none (only the numeric code can tell).
  it.each(Array.from({ length: 21 }, (_, i) => i + 1))('injected engine fault %i at exec: same class, code and message', async (code) => {
    const message = code % 2 === 0 ? undefined : `injected without a prefix (${code})`;
    inject(rule({ op: 'exec', code, box: 'parity', command: 'faulty', ...(message ? { message } : {}) }));
    const f = await failure(t.strict.getBox('parity').then((b) => b.exec('faulty')));
    expect(f.boxliteCode).toBe(code);
    record(mode, `fault-exec-${code}`, outcomeOf(f));
    clearFaults(t.home);
  });

  it.each([
    ['create_box', 7, (rt: RuntimeApi) => rt.createBox({ image: 'alpine:latest', name: 'never' })],
    ['get', 18, (rt: RuntimeApi) => rt.getBox('parity')],
    ['box_metrics', 14, (rt: RuntimeApi) => rt.getBox('parity').then((b) => b.metrics())],
    ['remove', 4, (rt: RuntimeApi) => rt.removeBox('parity')],
  ] as const)('injected engine fault at %s (code %i): same class, code and message', async (op, code, call) => {
    inject(rule({ op, code, message: `${op} refused by an injected fault` }));
    const f = await failure(call(t.strict));
    expect(f.boxliteCode).toBe(code);
    record(mode, `fault-${op}`, outcomeOf(f));
    clearFaults(t.home);
  });

  it('an injected stdin fault fails the stdin Writable with the same error', async () => {
    const ex = await box.exec('cat');
    inject(rule({ op: 'stdin_write', code: 4, message: 'invalid state: stdin refused by an injected fault' }));
    const failed = new Promise<Error>((resolve) => ex.stdin.once('error', resolve));
    ex.stdin.write('x');
    const err = await failed;
    expect(err).toBeInstanceOf(BoxliteError);
    clearFaults(t.home);
    // A failed write also closes the command's stdin (embedded, and so on the
    // server): cat may exit 0 by itself before the kill lands; either ends it.
    await ex.kill();
    expect([0, -9]).toContain(await ex.wait());
    record(mode, 'stdin-fault', { className: err.constructor.name, code: (err as BoxliteError).boxliteCode, message: err.message });
  });

  it('a create after an injected resource fault: REST retries it and creates exactly one box', async () => {
    inject(rule({ op: 'create_box', code: 20, message: 'resource exhausted: injected, no capacity' }));
    const attempt = t.rt.createBox({ image: 'alpine:latest', name: 'retried', autoRemove: false });
    if (mode === 'embedded') {
      const f = await failure(attempt);
      expect(f.err).toBeInstanceOf(ResourceExhaustedError);
      record(mode, 'resource-fault', outcomeOf(f));
    } else {
      const created = await attempt;
      expect(created.name).toBe('retried');
      // Without retries, the same fault is the same error as embedded.
      inject(rule({ op: 'create_box', code: 20, message: 'resource exhausted: injected, no capacity' }));
      record(mode, 'resource-fault', outcomeOf(await failure(t.strict.createBox({ image: 'alpine:latest', name: 'retried-2' }))));
    }
    clearFaults(t.home);
    const named = (await t.rt.listBoxes()).filter((b) => b.name === 'retried');
    expect(named.length).toBe(mode === 'rest' ? 1 : 0);
  });

  it('an abort kills the command (wait gives -9); an aborted signal starts nothing', async () => {
    const ac = new AbortController();
    const ex = await box.exec('sleep', ['30'], { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const code = await ex.wait();
    expect(code).toBe(-9);
    const before = (await t.rt.metrics()).totalCommandsExecuted;
    const err = await box.exec('echo', ['x'], { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect((await t.rt.metrics()).totalCommandsExecuted).toBe(before);
    record(mode, 'abort', { code, name: (err as Error).name });
  });

  it('kill and timeout end the command with -9', async () => {
    const ex = await box.exec('sleep', ['30']);
    await ex.kill();
    const killed = await ex.wait();
    const timed = await box.run('sleep', ['30'], { timeoutSecs: 1 });
    expect([killed, timed.exitCode]).toEqual([-9, -9]);
    record(mode, 'kill-timeout', [killed, timed.exitCode]);
  });

  it('a signal reaches the command (SIGTERM: -15)', async () => {
    const ex = await box.exec('sleep', ['30']);
    await new Promise((r) => setTimeout(r, 100));
    await ex.signal(15);
    const code = await ex.wait();
    expect(code).toBe(-15);
    await ex.kill(); // a no-op once exited, in both modes
    record(mode, 'signal', code);
  });

  it('copyIn / copyOut: a file and a directory round-trip', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parity-files-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.txt'), 'alpha');
      fs.mkdirSync(path.join(dir, 'tree', 'sub'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'tree', 'one.txt'), '1');
      fs.writeFileSync(path.join(dir, 'tree', 'sub', 'two.txt'), '22');
      await box.copyIn(path.join(dir, 'a.txt'), '/data/a.txt');
      await box.copyIn(path.join(dir, 'tree'), '/data/tree');
      const listing = await box.run('sh', ['-c', 'cat data/a.txt; echo; cat data/tree/one.txt data/tree/sub/two.txt']);
      await box.copyOut('/data/a.txt', path.join(dir, 'back.txt'));
      await box.copyOut('/data/tree', path.join(dir, 'back-tree'));
      const result = {
        listing: listing.stdout,
        file: fs.readFileSync(path.join(dir, 'back.txt'), 'utf8'),
        tree: [fs.readFileSync(path.join(dir, 'back-tree', 'one.txt'), 'utf8'), fs.readFileSync(path.join(dir, 'back-tree', 'sub', 'two.txt'), 'utf8')],
      };
      expect(result).toEqual({ listing: 'alpha\n122', file: 'alpha', tree: ['1', '22'] });
      record(mode, 'files', result);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('info, metrics, stop and start', async () => {
    const info = await box.info();
    expect(info.id).toBe(box.id);
    expect(info.name).toBe('parity');
    const metrics = await box.metrics();
    expect(metrics.commandsExecuted).toBeGreaterThan(0);
    const other = await t.rt.createBox({ image: 'alpine:latest', name: 'cycle', autoRemove: false });
    await other.start();
    await other.stop();
    const stopped = await (await t.rt.getBox('cycle')).info();
    await t.rt.removeBox('cycle');
    record(mode, 'info', {
      keys: Object.keys(info).sort(), image: info.image, cpus: info.cpus, memoryMib: info.memoryMib, status: info.status,
      metricKeys: Object.keys(metrics).sort(), stopped: stopped.status,
    });
  });

  it(`lists more boxes than the largest page (${MANY})`, async () => {
    const want = new Set<string>([box.id]);
    const names = Array.from({ length: MANY }, (_, i) => `many-${i}`);
    for (let i = 0; i < names.length; i += 16) {
      const made = await Promise.all(names.slice(i, i + 16).map((name) => t.rt.createBox({ image: 'alpine:latest', name, autoRemove: false })));
      for (const b of made) want.add(b.id);
    }
    const listed = await t.rt.listBoxes();
    const ids = new Set(listed.map((b) => b.id));
    for (const id of want) expect(ids.has(id)).toBe(true);
    expect(ids.size).toBe(listed.length); // no box twice across pages
    if (mode === 'rest') {
      // The async iterator walks the same boxes in small pages.
      const paged: string[] = [];
      for await (const info of (t.rt as Awaited<ReturnType<typeof Runtime.rest>>).boxes({ pageSize: 250 })) paged.push(info.id);
      expect(new Set(paged)).toEqual(ids);
    }
    record(mode, 'many', { count: listed.filter((b) => b.name?.startsWith('many-')).length });
  }, 240_000);
});

describe('both modes agree', () => {
  it('recorded the same outcomes for every scenario', () => {
    expect(outcomes.size).toBeGreaterThan(20);
    for (const [key, { embedded, rest }] of outcomes) {
      expect({ key, value: rest }).toEqual({ key, value: embedded });
    }
  });

  it.skipIf(!process.env.BOXLITE_OPENAPI)('every request Runtime.rest() sent is valid under BoxLite\'s OpenAPI document', () => {
    const validator = new OpenApiValidator(fs.readFileSync(process.env.BOXLITE_OPENAPI!, 'utf8'), { explained: [] });
    expect(sent.length).toBeGreaterThan(MANY);
    const problems = sent.map((m) => validator.checkRequest(m, ['uploadFiles source_is_dir'])).filter((p): p is string => p !== null);
    expect([...new Set(problems)]).toEqual([]);
  });
});
