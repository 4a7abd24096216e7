// Exec and the WebSocket attach over real HTTP and real `ws` clients, against
// the real runtime on the test engine.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Served, attach, attachUrl, createBox, expectEnvelope, postJson, request, serve, sleep, startExec, until,
} from './http-support';

let s: Served;
let box: string;
beforeAll(async () => {
  s = await serve();
  box = await createBox(s.origin, { name: 'exec-box' });
});
afterAll(async () => { await s.close(); });

const execUrl = (eid: string) => `${s.origin}/v1/boxes/${box}/executions/${eid}`;

describe('POST .../exec', () => {
  it('answers 201 {execution_id} with a Location, right after spawn', async () => {
    const a = await postJson(`${s.origin}/v1/boxes/${box}/exec`, { command: 'sleep', args: ['5'], tty: false });
    expect(a.status).toBe(201);
    expect(typeof a.json.execution_id).toBe('string');
    expect(a.headers.location).toBe(`/v1/boxes/${box}/executions/${a.json.execution_id}`);
    const st = await request(execUrl(a.json.execution_id));
    expect(st.json).toMatchObject({ execution_id: a.json.execution_id, status: 'running', exit_code: null });
    expect((await request(execUrl(a.json.execution_id), { method: 'DELETE' })).status).toBe(204);
  });

  it('accepts the client body (float timeout, env, working_dir) and a box name in the path', async () => {
    const a = await postJson(`${s.origin}/v1/boxes/exec-box/exec`, {
      command: 'sh', args: ['-c', 'echo "$GREETING" && pwd'], env: { GREETING: 'hi' }, timeout_seconds: 5.0, working_dir: '/tmp', tty: false,
    });
    expect(a.status).toBe(201);
    const at = await attach(attachUrl(s.origin, 'exec-box', a.json.execution_id));
    expect(await at.closed).toEqual({ exitCode: 0, closeCode: 1000 });
    expect(at.stdout()).toMatch(/^hi\n.*\/tmp\n$/);
  });

  it('the exec body parser keeps every env key, "__proto__" included (no silent drop)', async () => {
    const { parseExecRequest } = await import('../lib/http/exec/exec-request');
    const parsed = parseExecRequest(JSON.parse('{"command":"env","env":{"__proto__":"x","A":"1"}}'));
    if (parsed instanceof Error) throw parsed;
    expect(Object.entries(parsed.options.env ?? {})).toEqual([['__proto__', 'x'], ['A', '1']]);
  });

  it('validates before touching the engine', async () => {
    const bad: Array<[unknown, string]> = [
      [{}, 'command is required'],
      [{ command: 5 }, 'command must be a string'],
      [{ command: 'x', args: 'a b' }, 'args'],
      [{ command: 'x', extra: 1 }, 'unknown field'],
      [{ command: 'x', timeout_seconds: -1 }, 'timeout_seconds must be >= 0.1'],
      [{ command: 'x', timeout_seconds: '5' }, 'timeout_seconds must be a finite number, got a string'],
      // Far past any clock's range: refused, not handed to an engine that would overflow it.
      [{ command: 'x', timeout_seconds: 1e20 }, 'timeout_seconds must be <= 2147483647'],
      [{ command: 'x', tty: 'yes' }, 'tty'],
      [{ command: 'x', env: { 'A=B': 'c' } }, "'='"],
    ];
    for (const [body, mention] of bad) {
      const err = expectEnvelope(await postJson(`${s.origin}/v1/boxes/${box}/exec`, body), 400, 'invalid_argument');
      expect(err.message).toContain(mention);
    }
    expectEnvelope(await postJson(`${s.origin}/v1/boxes/no-such-box/exec`, { command: 'true' }), 404, 'not_found');
  });

  it("the seed's cases: unknown user 400, missing binary 422, not executable 422 (never 500)", async () => {
    const user = expectEnvelope(await postJson(`${s.origin}/v1/boxes/${box}/exec`, { command: 'true', user: 'nosuchuser' }), 400, 'invalid_argument');
    expect(user.message).toContain("User 'nosuchuser' not found in");
    const missing = expectEnvelope(await postJson(`${s.origin}/v1/boxes/${box}/exec`, { command: 'no-such-binary-xyz' }), 422, 'execution_failed');
    expect(missing.message).toContain('not found in $PATH');
    const notExec = expectEnvelope(await postJson(`${s.origin}/v1/boxes/${box}/exec`, { command: '/etc' }), 422, 'execution_failed');
    expect(notExec.message).toContain('does not have correct permissions');
    expect(s.errors).toEqual([]);
  });

  it("create's user is the box's default exec user", async () => {
    const id = await createBox(s.origin, { user: 'ghost' });
    const err = expectEnvelope(await postJson(`${s.origin}/v1/boxes/${id}/exec`, { command: 'true' }), 400, 'invalid_argument');
    expect(err.message).toContain("User 'ghost'");
    const ok = await startExec(s.origin, id, { command: 'true', user: 'root' });
    expect(ok).toBeTruthy();
  });
});

describe('attach', () => {
  it('streams stdout/stderr frames, then the exit frame, then close 1000', async () => {
    const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'echo out; echo err >&2; exit 3'] });
    const at = await attach(attachUrl(s.origin, box, eid), { 'X-Request-Id': 'attach-req-1' });
    expect(at.upgradeHeaders['x-request-id']).toBe('attach-req-1');
    expect(await at.closed).toEqual({ exitCode: 3, closeCode: 1000 });
    expect(at.stdout()).toBe('out\n');
    expect(at.stderr()).toBe('err\n');
    expect(at.control.at(-1)).toEqual({ type: 'exit', exit_code: 3 });
    const st = await request(execUrl(eid));
    expect(st.json).toMatchObject({ status: 'completed', exit_code: 3, error_message: null });
    expect(typeof st.json.duration_ms).toBe('number');
  });

  it('keeps output produced before the attach (a late attach loses nothing)', async () => {
    const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'seq 1 20000'] });
    await sleep(300); // the command is long done by now
    const at = await attach(attachUrl(s.origin, box, eid));
    expect((await at.closed).exitCode).toBe(0);
    const lines = at.stdout().trim().split('\n');
    expect(lines.length).toBe(20000);
    expect(lines[19999]).toBe('20000');
  });

  it('pings within 1 s of the upgrade, so silent commands keep their socket', async () => {
    const eid = await startExec(s.origin, box, { command: 'sleep', args: ['1.5'] });
    const at = await attach(attachUrl(s.origin, box, eid));
    await until(() => at.firstPingMs() !== null, 1000, 'first ping');
    expect(at.firstPingMs()).toBeLessThan(1000);
    expect((await at.closed).exitCode).toBe(0);
  });

  it('sends periodic pings (interval configurable)', async () => {
    const fast = await serve({ t: s.t, handler: { auth: 'none', pingIntervalMs: 100 } });
    try {
      // A command that runs until told to stop, not a fixed `sleep 0.6`: on a
      // loaded machine the attach itself could take most of those 600 ms and
      // leave room for fewer pings. At the default 15 s interval only the
      // first Ping (at the upgrade) would come within the deadline.
      const eid = await startExec(fast.origin, box, { command: 'cat' });
      const at = await attach(attachUrl(fast.origin, box, eid));
      await until(() => at.pings() >= 4, 5000, 'four pings');
      at.ws.send(JSON.stringify({ type: 'stdin_eof' }));
      expect((await at.closed).exitCode).toBe(0);
      expect(at.pings()).toBeGreaterThanOrEqual(4);
    } finally {
      await fast.close();
    }
  });

  it('stdin in, stdin_eof closes it', async () => {
    const eid = await startExec(s.origin, box, { command: 'cat' });
    const at = await attach(attachUrl(s.origin, box, eid));
    at.ws.send(Buffer.from('hello '), { binary: true });
    at.ws.send(Buffer.from([0x00, 0x77, 0x6f, 0x72, 0x6c, 0x64]), { binary: true });
    at.ws.send(JSON.stringify({ type: 'stdin_eof' }));
    expect((await at.closed).exitCode).toBe(0);
    expect(at.stdout()).toBe('hello \u0000world');
  });

  it('one attach at a time: a second one gets 409 with the envelope; after close it may re-attach', async () => {
    const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'sleep 0.5; echo late'] });
    const first = await attach(attachUrl(s.origin, box, eid));
    const refused = await attach(attachUrl(s.origin, box, eid)).then(() => null, (e) => e);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('already_exists');
    expect(refused.body.error.request_id).toBe(refused.headers['x-request-id']);
    first.ws.close();
    await first.closed;
    // the exec keeps running across the close and its later output is kept
    const second = await attach(attachUrl(s.origin, box, eid));
    expect((await second.closed).exitCode).toBe(0);
    expect(first.stdout() + second.stdout()).toBe('late\n');
  });

  it('a re-attach after exit gets the exit frame at once', async () => {
    const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'exit 7'] });
    const first = await attach(attachUrl(s.origin, box, eid));
    expect((await first.closed).exitCode).toBe(7);
    const t0 = Date.now();
    const again = await attach(attachUrl(s.origin, box, eid));
    expect(await again.closed).toEqual({ exitCode: 7, closeCode: 1000 });
    // "At once" as opposed to waiting for something (a Ping interval is 15 s):
    // a loose bound, as a loaded machine can take a while over one attach.
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('unknown executions: 404 over HTTP and on the upgrade', async () => {
    expectEnvelope(await request(execUrl('no-such-exec')), 404, 'not_found');
    const refused = await attach(attachUrl(s.origin, box, 'no-such-exec')).then(() => null, (e) => e);
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('not_found');
    const plain = await request(`${execUrl('no-such-exec')}/attach`);
    expect(plain.status).toBe(404);
  });

  it('a malformed WebSocket handshake gets the envelope and X-Request-Id, not ws\'s bare text 400', async () => {
    const eid = await startExec(s.origin, box, { command: 'sleep', args: ['2'] });
    const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const r = http.request(`${execUrl(eid)}/attach`, { headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'X-Request-Id': 'bad-hs-1' } });
      r.on('response', (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      r.on('upgrade', () => reject(new Error('upgraded without a Sec-WebSocket-Key')));
      r.on('error', reject);
      r.end();
    });
    expect(answer.status).toBe(400);
    expect(answer.headers['x-request-id']).toBe('bad-hs-1');
    expect(JSON.parse(answer.body).error).toMatchObject({ code: 'invalid_argument', request_id: 'bad-hs-1' });
    // The refused handshake did not take the attach slot.
    const at = await attach(attachUrl(s.origin, box, eid));
    expect((await at.closed).exitCode).toBe(0);
  });

  it('a plain GET on attach (no upgrade) is refused with 426 and the envelope', async () => {
    const eid = await startExec(s.origin, box, { command: 'true' });
    const a = await request(`${execUrl(eid)}/attach`);
    expect(a.status).toBe(426);
    expect(a.json.error.code).toBe('invalid_argument');
  });

  it('text control frames: signal (whitelisted), bad frames answer an error frame and keep the socket', async () => {
    // "ready" once the trap is set: a SIGTERM that came before it would end
    // the shell with -15 (a fixed sleep was a guess at how fast sh starts).
    const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'trap "echo TERM; exit 5" TERM; echo ready; while :; do sleep 0.05; done'] });
    const at = await attach(attachUrl(s.origin, box, eid));
    await until(() => at.stdout() === 'ready\n', 10_000, 'the trap to be set');
    at.ws.send('not json');
    at.ws.send(JSON.stringify({ type: 'signal', sig: 9 }));
    at.ws.send(JSON.stringify({ type: 'resize', cols: 80, rows: 24 }));
    at.ws.send(JSON.stringify({ type: 'bogus' }));
    await until(() => at.control.length >= 4, 3000, 'four error frames');
    expect(at.control.slice(0, 4).every((m) => m.type === 'error')).toBe(true);
    at.ws.send(JSON.stringify({ type: 'signal', sig: 15 }));
    expect((await at.closed).exitCode).toBe(5);
    expect(at.stdout()).toBe('ready\nTERM\n');
  });

  it('tty: resize over HTTP and as a frame', async () => {
    const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'sleep 0.3; stty size'], tty: true });
    expect((await postJson(`${execUrl(eid)}/resize`, { cols: 100, rows: 30 })).status).toBe(204);
    const at = await attach(attachUrl(s.origin, box, eid));
    expect((await at.closed).exitCode).toBe(0);
    expect(at.stdout()).toContain('30 100');
  });
});

describe('signal, resize, kill over HTTP', () => {
  it('signal: whitelist, SIGKILL pointed to DELETE, 409 after exit', async () => {
    // The marker file says the trap is set: a SIGUSR1 before it would end
    // the shell with -10, not 9 (a fixed sleep was a guess at how fast sh starts).
    const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'trap "exit 9" USR1; echo $$ > usr1-trap-set; while :; do sleep 0.05; done'] });
    const marker = path.join(s.t.homeDir, 'boxes', box, 'rootfs', 'usr1-trap-set');
    await until(() => fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').endsWith('\n'), 10_000, 'the trap to be set');
    const kill = expectEnvelope(await postJson(`${execUrl(eid)}/signal`, { signal: 9 }), 400, 'invalid_argument');
    expect(kill.message).toContain('DELETE');
    expectEnvelope(await postJson(`${execUrl(eid)}/signal`, { signal: 7 }), 400, 'invalid_argument');
    expectEnvelope(await postJson(`${execUrl(eid)}/signal`, { signal: '15' }), 400, 'invalid_argument');
    expectEnvelope(await postJson(`${execUrl(eid)}/signal`, {}), 400, 'invalid_argument');
    expect((await postJson(`${execUrl(eid)}/signal`, { signal: 10 })).status).toBe(204);
    await until(async () => (await request(execUrl(eid))).json.status !== 'running', 3000, 'exit');
    expect((await request(execUrl(eid))).json).toMatchObject({ status: 'completed', exit_code: 9 });
    expectEnvelope(await postJson(`${execUrl(eid)}/signal`, { signal: 15 }), 409, 'invalid_state');
  });

  it('a signal death reads killed; resize on a non-tty exec is 400', async () => {
    const eid = await startExec(s.origin, box, { command: 'sleep', args: ['10'] });
    expectEnvelope(await postJson(`${execUrl(eid)}/resize`, { cols: 80, rows: 24 }), 400, 'invalid_argument');
    expectEnvelope(await postJson(`${execUrl(eid)}/resize`, { cols: 0, rows: 24 }), 400, 'invalid_argument');
    expect((await postJson(`${execUrl(eid)}/signal`, { signal: 15 })).status).toBe(204);
    await until(async () => (await request(execUrl(eid))).json.status !== 'running', 3000, 'exit');
    expect((await request(execUrl(eid))).json).toMatchObject({ status: 'killed', exit_code: -15 });
  });

  it('timeout_seconds: the engine kills it and the status says timed_out', async () => {
    const eid = await startExec(s.origin, box, { command: 'sleep', args: ['10'], timeout_seconds: 0.3 });
    const at = await attach(attachUrl(s.origin, box, eid));
    expect((await at.closed).exitCode).toBe(-9);
    expect((await request(execUrl(eid))).json).toMatchObject({ status: 'timed_out', exit_code: -9 });
  });

  it('DELETE kills and evicts: the attached socket gets the exit frame, later requests 404', async () => {
    const eid = await startExec(s.origin, box, { command: 'sleep', args: ['30'] });
    const at = await attach(attachUrl(s.origin, box, eid));
    const t0 = Date.now();
    expect((await request(execUrl(eid), { method: 'DELETE' })).status).toBe(204);
    expect(await at.closed).toEqual({ exitCode: -9, closeCode: 1000 });
    // Killed, not run to its end (30 s): a loose bound for a loaded machine.
    expect(Date.now() - t0).toBeLessThan(5000);
    expectEnvelope(await request(execUrl(eid)), 404, 'not_found');
    expectEnvelope(await request(execUrl(eid), { method: 'DELETE' }), 404, 'not_found');
  });

  it('an attach arriving just after a DELETE still learns the exit code', async () => {
    const eid = await startExec(s.origin, box, { command: 'sleep', args: ['30'] });
    expect((await request(execUrl(eid), { method: 'DELETE' })).status).toBe(204);
    const late = await attach(attachUrl(s.origin, box, eid));
    expect(await late.closed).toEqual({ exitCode: -9, closeCode: 1000 });
  });

  it('an execution is only reachable under its own box', async () => {
    const other = await createBox(s.origin);
    const eid = await startExec(s.origin, box, { command: 'true' });
    expectEnvelope(await request(`${s.origin}/v1/boxes/${other}/executions/${eid}`), 404, 'not_found');
    expect((await request(`${s.origin}/v1/boxes/exec-box/executions/${eid}`)).status).toBe(200);
  });
});
