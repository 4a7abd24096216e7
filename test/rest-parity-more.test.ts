// The endpoints the other parity suites never reach through the official
// BoxLite client (@boxlite-ai/boxlite 0.10.0, REST mode): execution resize,
// get execution, box exists, GET /v1/config and GET /v1/me. Each is driven
// through the client where the client can send it at all, over real HTTP on
// 127.0.0.1 against createBoxliteHandler on the test engine, and the answers
// the client surfaces are checked; where the client cannot reach an endpoint,
// the comment says so and the endpoint is checked over plain HTTP.
//
// What sends what (0.10.0; ../shared/docs/rest-client-trace.md, and
// src/boxlite/src/rest/ of BoxLite):
// - execution.resizeTty(rows, cols) -> POST P/boxes/{id}/executions/{eid}/resize {"cols","rows"}.
// - GET P/boxes/{id}/executions/{eid} has no method of its own: wait() sends it
//   only when the attach WebSocket fails (refused, or closed before the exit
//   frame). A proxy in front of the server (attach-proxy.ts) makes that happen.
// - GET /v1/config: before create() with advanced.capabilities, and before
//   box.snapshot.*, cloneBox, export and importBox (capability gates).
// - HEAD P/boxes/{id} (box exists) and GET /v1/me: BoxLite's Rust client has
//   exists() and whoami(), but the Node binding exposes neither (checked below).
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuth } from '../lib/http';
import { CHANNEL_NAMES, type ExecReapMessage } from '../lib/observability/channels';
import { type AttachProxy, type UpgradeAction, startAttachProxy } from './attach-proxy';
import { type Answer, type Served, expectEnvelope, request, serve } from './http-support';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
let sdk: Any;
let s: Served;
let proxy: AttachProxy;

const TOKEN = 'parity-more-token';
const AUTH = { Authorization: `Bearer ${TOKEN}` };
/** Requests the test makes itself carry this header and are left out of `sent`. */
const PROBE = { 'x-parity-probe': '1' };
/** "METHOD /path?query" of every request the official client sent, in order (WS for an upgrade). */
const sent: string[] = [];
/**
 * What the proxy does with the next attach upgrades, first to last (then: pass).
 * Queued before the exec: the client attaches in the background after exec() resolved.
 */
const upgradePlans: Array<(urlPath: string) => Promise<UpgradeAction>> = [];

function rest(origin: string, extra: Record<string, unknown> = {}): Any {
  return sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url: origin, ...extra }));
}

function probe(urlPath: string, method = 'GET', headers: Record<string, string> = {}): Promise<Answer> {
  return request(`${s.origin}${urlPath}`, { method, headers: { ...PROBE, ...headers } });
}

async function readAll(stream: Any): Promise<string> {
  let out = '';
  for (;;) {
    const chunk = await stream.next();
    if (chunk === null || chunk === undefined) return out;
    out += chunk;
  }
}

/** Bounded poll. */
async function until(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function execPath(boxId: string, eid: string): string {
  return `/v1/boxes/${boxId}/executions/${eid}`;
}

/** Resolves once the server reports the execution ended (plain HTTP, not the client). */
function ended(boxId: string, eid: string): Promise<void> {
  return until(async () => (await probe(execPath(boxId, eid))).json?.status !== 'running', 10_000, `${eid} to end`);
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

beforeAll(async () => {
  sdk = await import('@boxlite-ai/boxlite');
  // The client reaches the server through the proxy: its Host names the proxy's port.
  s = await serve({ handler: { auth: 'none', allowedHosts: ['127.0.0.1'] } });
  s.server.prependListener('request', (req) => {
    if (req.headers['x-parity-probe'] === undefined) sent.push(`${req.method} ${req.url}`);
  });
  s.server.prependListener('upgrade', (req) => { sent.push(`WS ${req.url}`); });
  const pass = async (): Promise<UpgradeAction> => ({ kind: 'pass' });
  proxy = await startAttachProxy(s.origin, (urlPath) => (upgradePlans.shift() ?? pass)(urlPath));
});
afterAll(async () => {
  await proxy?.close();
  await s?.close();
});

describe('execution resize: execution.resizeTty(rows, cols) -> POST .../resize', () => {
  let rt: Any;
  let box: Any;
  beforeAll(async () => {
    rt = rest(proxy.origin);
    box = await rt.create({ image: 'alpine:latest' });
  });

  it('reaches the terminal: the command sees the new size', async () => {
    // The shell announces itself, then blocks on stdin: the resize lands before stty runs.
    const ex = await box.exec('sh', ['-c', 'echo ready; read _ack; stty size'], null, true, null, null, null);
    const eid = await ex.id();
    const stdout = await ex.stdout();
    let out = '';
    while (!out.includes('ready')) {
      const chunk = await stdout.next();
      if (chunk === null) throw new Error(`stdout ended before ready: ${JSON.stringify(out)}`);
      out += chunk;
    }
    expect(await ex.resizeTty(40, 100)).toBeUndefined();
    expect(sent).toContain(`POST ${execPath(box.id, eid)}/resize`);
    const stdin = await ex.stdin();
    await stdin.writeString('\n');
    out += await readAll(stdout);
    expect(out).toContain('40 100');
    expect((await ex.wait()).exitCode).toBe(0);
  });

  it('the largest size the kernel takes (65535) is accepted; one more, or 0, is invalid argument', async () => {
    const ex = await box.exec('sh', ['-c', 'read _; stty size'], null, true, null, null, null);
    await ex.resizeTty(65535, 65535);
    // BoxLite's guest refuses a value past u16 as invalid argument too (tty::dimension);
    // 0 it passes on to the kernel, where the spec's ResizeRequest says minimum 1.
    for (const [rows, cols] of [[65536, 80], [24, 65536], [0, 80], [24, 0]]) {
      const err = await rejection(ex.resizeTty(rows, cols));
      expect(err.message, `${rows}x${cols}`).toMatch(/^invalid argument: /);
    }
    const stdin = await ex.stdin();
    await stdin.writeString('\n');
    // A refused resize changes nothing: the command still sees the accepted size.
    expect(await readAll(await ex.stdout())).toContain('65535 65535');
    expect((await ex.wait()).exitCode).toBe(0);
  });

  it('an execution without a TTY: invalid argument, and the command goes on', async () => {
    // BoxLite's own server passes this to the guest, which refuses it
    // (ExecutionError::NotAPty) as a 500 internal; the caller's mistake is a 400 here.
    const ex = await box.exec('sh', ['-c', 'read line; echo "got $line"'], null, false, null, null, null);
    const eid = await ex.id();
    const err = await rejection(ex.resizeTty(24, 80));
    expect(err.message).toMatch(/^invalid argument: /);
    expect(err.message).toContain(`execution ${eid} has no TTY`);
    expect((err as Any).code).toBe('GenericFailure');
    const stdin = await ex.stdin();
    await stdin.writeString('still here\n');
    expect(await readAll(await ex.stdout())).toBe('got still here\n');
    expect((await ex.wait()).exitCode).toBe(0);
  });

  it('an execution that has exited: invalid state', async () => {
    const ex = await box.exec('sh', ['-c', 'exit 4'], null, true, null, null, null);
    expect((await ex.wait()).exitCode).toBe(4);
    const err = await rejection(ex.resizeTty(24, 80));
    expect(err.message).toMatch(/^invalid state: .*has already exited \(exit code 4\)/);

    // Ended by its box stopping: the same.
    const other = await rt.create({ image: 'alpine:latest' });
    const running = await other.exec('sleep', ['30'], null, true, null, null, null);
    await other.stop();
    expect((await running.wait()).exitCode).toBeLessThan(0);
    expect((await rejection(running.resizeTty(24, 80))).message).toMatch(/^invalid state: .*has already exited/);
    await rt.remove(other.id, true);
  });

  it('a killed execution (kill evicts it) and a removed box: box not found', async () => {
    const ex = await box.exec('sleep', ['30'], null, true, null, null, null);
    const eid = await ex.id();
    await ex.kill();
    expect((await ex.wait()).exitCode).toBe(-9);
    const gone = await rejection(ex.resizeTty(24, 80));
    // The client's prefix for every 404 is "box not found", whatever was missing.
    expect(gone.message).toMatch(/^box not found: /);
    expect(gone.message).toContain(`execution ${eid} not found`);

    const other = await rt.create({ image: 'alpine:latest' });
    const running = await other.exec('sleep', ['30'], null, true, null, null, null);
    await rt.remove(other.id, true);
    expect((await running.wait()).exitCode).toBeLessThan(0);
    expect((await rejection(running.resizeTty(24, 80))).message).toMatch(/^box not found: /);
  });
  it('an execution reaped for idleness (nobody attached): session reaped, for resize and for the attach', async () => {
    const a = await serve({ t: s.t, handler: { auth: 'none', allowedHosts: ['127.0.0.1'], execIdleTimeoutMs: 300, execReapGraceMs: 100 } });
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const p = await startAttachProxy(a.origin, async () => { await held; return { kind: 'pass' }; });
    const reaped: string[] = [];
    const onReap = (m: unknown) => { reaped.push((m as ExecReapMessage).executionId); };
    subscribe(CHANNEL_NAMES.execReap, onReap);
    try {
      const other = await rest(p.origin).create({ image: 'alpine:latest' });
      const ex = await other.exec('sleep', ['30'], null, true, null, null, null);
      const eid = await ex.id();
      await until(async () => reaped.includes(eid), 10_000, `${eid} to be reaped`);
      const err = await rejection(ex.resizeTty(24, 80));
      expect(err.message).toMatch(/^session reaped: /);
      expect(err.message).toContain(eid);
      release();
      // The refused attach (410) and the probe (410 too): -1 with the refusal, no re-attach.
      const result = await ex.wait();
      expect(result.exitCode).toBe(-1);
      expect(result.errorMessage).toMatch(/^WS connect failed: session reaped: /);
    } finally {
      unsubscribe(CHANNEL_NAMES.execReap, onReap);
      release();
      await p.close();
      await a.close();
    }
  });
});

describe('get execution: only the attach fallback sends GET .../executions/{eid}', () => {
  let rt: Any;
  let box: Any;
  beforeAll(async () => {
    rt = rest(proxy.origin);
    box = await rt.create({ image: 'alpine:latest' });
  });
  afterAll(() => { upgradePlans.length = 0; });

  /**
   * Runs a command whose attach is cut (101 passed, every frame dropped) once
   * `cutWhen` resolves, then returns what wait() gave, the stdout the client
   * delivered and the client's requests for that execution.
   */
  async function cutAttach(cmd: string, args: string[], timeoutSecs: number | null, cutWhen: (eid: string) => Promise<unknown>): Promise<{ result: Any; eid: string; stdout: string; requests: string[] }> {
    const from = sent.length;
    let cut!: (eid: string) => void;
    const eidKnown = new Promise<string>((resolve) => { cut = resolve; });
    upgradePlans.push(async () => ({ kind: 'blackhole', until: eidKnown.then(cutWhen) }));
    const ex = await box.exec(cmd, args, null, false, null, timeoutSecs, null);
    const eid = await ex.id();
    const stdout = readAll(await ex.stdout());
    cut(eid);
    const result = await ex.wait();
    return { result, eid, stdout: await stdout, requests: sent.slice(from).filter((r) => r.includes(eid)) };
  }

  it.each([
    ['completed', 'sh', ['-c', 'echo lost; exit 3'], null, 3],
    ['killed (a signal)', 'sh', ['-c', 'kill -TERM $$'], null, -15],
    ['timed_out', 'sleep', ['30'], 0.5, -9],
  ] as const)('a cut attach after the command ended (%s): wait() gives the exit code the status reports', async (status, cmd, args, timeoutSecs, code) => {
    const { result, eid, stdout, requests } = await cutAttach(cmd, [...args], timeoutSecs, (e) => ended(box.id, e));
    // Terminal status: the exit code, no error message; the output the proxy dropped is lost.
    expect(result.exitCode).toBe(code);
    expect(stdout).toBe('');
    expect(typeof result.exitCode).toBe('number');
    expect(result.errorMessage ?? null).toBeNull();
    expect(requests).toEqual([`WS ${execPath(box.id, eid)}/attach`, `GET ${execPath(box.id, eid)}`]);
    const answer = await probe(execPath(box.id, eid));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ execution_id: eid, status: status.split(' ')[0], exit_code: code });
    expect(typeof answer.json.started_at).toBe('string');
    expect(Number.isInteger(answer.json.duration_ms)).toBe(true);
  });

  it('a cut attach after the execution was killed and evicted: 404, so wait() gives -1 and the cause', async () => {
    const { result, eid, requests } = await cutAttach('sleep', ['30'], null, async (e) => {
      expect((await probe(execPath(box.id, e), 'DELETE')).status).toBe(204);
    });
    expect(result.exitCode).toBe(-1);
    // How the cut reads (FIN or reset) is the client's business: any WS cause.
    expect(result.errorMessage).toMatch(/^WS (stream|closed)/);
    // 404 (gone): one probe, then the fallback's own try; no reconnect.
    expect(requests).toEqual([`WS ${execPath(box.id, eid)}/attach`, `GET ${execPath(box.id, eid)}`, `GET ${execPath(box.id, eid)}`]);
    expectEnvelope(await probe(execPath(box.id, eid)), 404, 'not_found');
  });

  it('a cut attach while the command runs: "running", so the client re-attaches and gets the rest', async () => {
    // The client waits 15 s before re-attaching (WS_RECONNECT_BACKOFF_INITIAL).
    const t0 = Date.now();
    let whileRunning: Answer | undefined;
    const { result, eid, stdout, requests } = await cutAttach('sh', ['-c', 'sleep 2; echo late; exit 6'], null, async (e) => {
      await new Promise((r) => setTimeout(r, 300));
      whileRunning = await probe(execPath(box.id, e));
    });
    // What the client's probe read: running, no exit code or duration yet.
    expect(whileRunning?.json).toMatchObject({ execution_id: eid, status: 'running', exit_code: null, duration_ms: null, error_message: null });
    expect(result).toMatchObject({ exitCode: 6 });
    // Printed while nobody was attached: kept by the server, delivered on the re-attach.
    expect(stdout).toBe('late\n');
    expect(result.errorMessage ?? null).toBeNull();
    expect(requests).toEqual([`WS ${execPath(box.id, eid)}/attach`, `GET ${execPath(box.id, eid)}`, `WS ${execPath(box.id, eid)}/attach`]);
    expect(Date.now() - t0).toBeLessThan(30_000);
  }, 45_000);

  /** Starts `sleep 30` with its attach held back until `meanwhile` is done, and returns what wait() gave. */
  async function lateAttach(on: Any, meanwhile: (eid: string) => Promise<void>): Promise<{ result: Any; eid: string; requests: string[] }> {
    const from = sent.length;
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    upgradePlans.push(async () => { await held; return { kind: 'pass' }; });
    const ex = await on.exec('sleep', ['30'], null, false, null, null, null);
    const eid = await ex.id();
    await meanwhile(eid);
    release();
    const result = await ex.wait();
    return { result, eid, requests: sent.slice(from).filter((r) => r.includes(eid)) };
  }

  it('an attach arriving after the execution was killed gets its exit frame at once: -9, no status probe', async () => {
    // BoxLite's own server answers such an attach 404 (the kill evicted it),
    // which leaves the client with -1 and an error; here a killed execution
    // stays attachable for a minute, so the client learns how it ended.
    const { result, eid, requests } = await lateAttach(box, async (e) => {
      expect((await probe(execPath(box.id, e), 'DELETE')).status).toBe(204);
    });
    expect(result.exitCode).toBe(-9);
    expect(result.errorMessage ?? null).toBeNull();
    expect(requests).toEqual([`WS ${execPath(box.id, eid)}/attach`]);
  });

  it('an attach refused by the server (its box was removed): the 404 envelope reaches wait() through the probe', async () => {
    const doomed = await rt.create({ image: 'alpine:latest' });
    const { result, eid, requests } = await lateAttach(doomed, async () => {
      expect((await probe(`/v1/boxes/${doomed.id}?force=true`, 'DELETE')).status).toBe(204);
    });
    expect(result.exitCode).toBe(-1);
    expect(result.errorMessage).toMatch(/^WS connect failed: box not found: /);
    // 0.10.0 quotes the refusal's raw body after its prefix (0.10.3: the envelope's message).
    expect(result.errorMessage).toContain(doomed.id);
    expect(result.errorMessage).toContain('"code":"not_found"');
    // Refused upgrade: one status probe (404 too), no retry.
    expect(requests).toEqual([`WS ${execPath(doomed.id, eid)}/attach`, `GET ${execPath(doomed.id, eid)}`]);
  });
});

describe('box exists: HEAD P/boxes/{id} is not reachable from the Node client', () => {
  // BoxLite's Rust runtime has exists(): HEAD P/boxes/{id}, where 204 or 200
  // means true, 404 false, and anything else is mapped as an error
  // (ApiClient::head_exists). The 0.10.0 Node binding exposes no exists():
  // its existence checks are rt.get()/getInfo(), which send GET and read a
  // 404 as null. So HEAD is checked over plain HTTP, next to what get() says.
  it('the Node client has neither exists() nor whoami(): what JsBoxlite can call', () => {
    const methods = Object.getOwnPropertyNames(sdk.getNativeModule().JsBoxlite.prototype);
    expect(methods).toEqual(expect.arrayContaining(['create', 'get', 'getInfo', 'getOrCreate', 'listInfo', 'metrics', 'remove']));
    for (const absent of ['exists', 'whoami', 'me', 'config']) expect(methods).not.toContain(absent);
  });

  it('204 for a box (by id or name), 404 for a missing or removed one, never a body: what get() says', async () => {
    const rt = rest(proxy.origin);
    const box = await rt.create({ image: 'alpine:latest' }, 'exists-probe');
    const check = async (idOrName: string, exists: boolean) => {
      const head = await probe(`/v1/boxes/${encodeURIComponent(idOrName)}`, 'HEAD');
      expect(head.status, idOrName).toBe(exists ? 204 : 404);
      expect(head.text).toBe('');
      expect(typeof head.headers['x-request-id']).toBe('string');
      expect((await rt.get(idOrName)) !== null, idOrName).toBe(exists);
    };
    await check(box.id, true);
    await check('exists-probe', true);
    await check('no-such-box', false);
    await rt.remove(box.id, true);
    await check(box.id, false);
    await check('exists-probe', false);
  });

  it('a malformed id is 400 and a missing credential 401, on HEAD as on GET', async () => {
    const a = await serve({ t: s.t, handler: { authenticate: bearerTokenAuth(TOKEN) } });
    try {
      const at = (p: string, method: string, headers: Record<string, string> = {}) => request(`${a.origin}${p}`, { method, headers });
      const tooLong = `/v1/boxes/${'x'.repeat(129)}`;
      for (const method of ['HEAD', 'GET']) {
        expect((await at('/v1/boxes/anything', method)).status, method).toBe(401);
        expect((await at(tooLong, method, AUTH)).status, method).toBe(400);
        expect((await at('/v1/boxes/anything', method, AUTH)).status, method).toBe(404);
      }
      expectEnvelope(await at(tooLong, 'GET', AUTH), 400, 'invalid_argument');
    } finally {
      await a.close();
    }
  });
});

describe('GET /v1/config: sent by the client before the calls it gates', () => {
  it('create with Linux capabilities: GET /v1/config, then unsupported; the create is never sent', async () => {
    const rt = rest(proxy.origin);
    const from = sent.length;
    const err = await rejection(rt.create({ image: 'alpine:latest', advanced: { capabilities: { add: ['NET_ADMIN'] } } }));
    expect(err.message).toMatch(/^unsupported: Remote server does not support Linux capabilities operations$/);
    expect(sent.slice(from)).toEqual(['GET /v1/config']);
  });

  it('snapshots, clone, export and import: unsupported after GET /v1/config, nothing else sent', async () => {
    const rt = rest(proxy.origin);
    const box = await rt.create({ image: 'alpine:latest' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parity-more-'));
    try {
      const archive = path.join(dir, 'box.tar');
      fs.writeFileSync(archive, '');
      const from = sent.length;
      const calls: Array<[string, () => Promise<unknown>, string]> = [
        ['snapshot.create', () => box.snapshot.create('s1'), 'snapshots'],
        ['snapshot.list', () => box.snapshot.list(), 'snapshots'],
        ['cloneBox', () => box.cloneBox(), 'clone'],
        ['export', () => box.export(path.join(dir, 'out.tar')), 'export'],
        ['importBox', () => rt.importBox(archive), 'import'],
      ];
      // The flag is present and false (a missing one reads "did not advertise").
      for (const [name, call, feature] of calls) {
        expect((await rejection(call())).message, name).toBe(`unsupported: Remote server does not support ${feature} operations`);
      }
      const after = sent.slice(from);
      expect(after.length).toBeGreaterThan(0);
      expect(new Set(after)).toEqual(new Set(['GET /v1/config']));
      expect(fs.readdirSync(dir)).toEqual(['box.tar']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await rt.remove(box.id, true);
    }
  });

  it('is open and never prefixed: a client with a wrong credential and a prefix still reads it', async () => {
    const a = await serve({ t: s.t, handler: { authenticate: bearerTokenAuth(TOKEN), pathPrefix: 'us-east/team-42' } });
    try {
      const wrong = rest(a.origin, { credential: new sdk.ApiKeyCredential('not-the-token'), pathPrefix: 'us-east/team-42' });
      // The gate's refusal, not an auth error: /v1/config answered without a valid token.
      expect((await rejection(wrong.create({ image: 'alpine:latest', advanced: { capabilities: { drop: ['ALL'] } } }))).message)
        .toMatch(/^unsupported: /);
      expect((await rejection(wrong.create({ image: 'alpine:latest' }))).message).toMatch(/^configuration error: auth: /);
      const open = await request(`${a.origin}/v1/config`);
      expect(open.status).toBe(200);
      // Under the prefix there is no such route (known only once authenticated).
      expectEnvelope(await request(`${a.origin}/v1/us-east/team-42/config`, { headers: AUTH }), 404, 'not_found');
    } finally {
      await a.close();
    }
  });

  it('what the client reads: every gate a boolean, false for what this server lacks', async () => {
    const a = await probe('/v1/config');
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toMatch(/^application\/json/);
    const caps = a.json.capabilities;
    // BoxLite's own server advertises all five (it implements them); these are false here.
    for (const gate of ['snapshots_enabled', 'clone_enabled', 'export_enabled', 'import_enabled', 'linux_capabilities_enabled']) {
      expect(caps[gate], gate).toBe(false);
    }
    expect(caps).toMatchObject({ tty_enabled: true, streaming_enabled: true, idempotency_key_lifetime: 'PT24H' });
    expect(Number.isInteger(caps.file_transfer_max_bytes)).toBe(true);
  });
});

describe('GET /v1/me: not reachable from the Node client', () => {
  // BoxLite's Rust runtime has whoami() (GET /v1/me, never prefixed); the
  // Node binding has none (see the prototype check above), and the trace saw
  // the client never send it. The spec's flow is "read Principal.path_prefix
  // from /v1/me, pass it as pathPrefix": checked here with plain HTTP for /me
  // and the official client for what follows.
  it('without authentication: a service account with no prefix', async () => {
    const me = await probe('/v1/me');
    expect(me.status).toBe(200);
    // BoxLite's own `boxlite serve` names the field `prefix`; the spec's Principal
    // (and the client's documentation) says `path_prefix`, always present.
    expect(me.json).toMatchObject({ principal_type: 'service_account', path_prefix: null, expires_at: null });
    expect(typeof me.json.sub).toBe('string');
    expect(me.json.scopes).toEqual(expect.arrayContaining(['box:read', 'box:write', 'box:exec', 'box:delete']));
    expect(me.json.scopes.every((x: unknown) => typeof x === 'string')).toBe(true);
  });

  it('path_prefix is the pathPrefix the official client needs; /me itself is never prefixed', async () => {
    const a = await serve({ t: s.t, handler: { authenticate: bearerTokenAuth(TOKEN), pathPrefix: 'us-east/team-42' } });
    try {
      expectEnvelope(await request(`${a.origin}/v1/me`), 401, 'unauthenticated');
      const me = await request(`${a.origin}/v1/me`, { headers: AUTH });
      expect(me.status).toBe(200);
      expect(me.json).toMatchObject({ sub: 'api-key', principal_type: 'service_account', path_prefix: 'us-east/team-42' });
      expectEnvelope(await request(`${a.origin}/v1/us-east/team-42/me`, { headers: AUTH }), 404, 'not_found');

      const rt = rest(a.origin, { credential: new sdk.ApiKeyCredential(TOKEN), pathPrefix: me.json.path_prefix });
      const box = await rt.create({ image: 'alpine:latest' });
      expect((await rt.getInfo(box.id)).id).toBe(box.id);
      const ex = await box.exec('echo', ['prefixed'], null, false, null, null, null);
      expect(await readAll(await ex.stdout())).toBe('prefixed\n');
      expect((await ex.wait()).exitCode).toBe(0);
      await rt.remove(box.id, true);
    } finally {
      await a.close();
    }
  });
});
