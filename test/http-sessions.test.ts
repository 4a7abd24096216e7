// Sessions: idle executions are reaped (SIGHUP, then SIGKILL) and answer 410
// afterwards; attaching or polling keeps them alive; a removed box takes its
// executions with it; handler.close() ends everything.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Served, attach, attachUrl, createBox, expectEnvelope, request, serve, sleep, startExec, until,
} from './http-support';
import { isRunning } from './process-state';

// Polling every IDLE / 4 must keep an execution alive even when this process
// stalls for a moment (a stall past IDLE - IDLE / 4 lets the idle timer fire
// before the next poll is read): 800 ms leaves 600 ms of slack on a busy host.
const IDLE = 800;
const GRACE = 1500; // wide, so 'still alive inside the grace period' holds on a loaded machine
let s: Served;
let box: string;
let root: string;
beforeAll(async () => {
  s = await serve({ handler: { auth: 'none', execIdleTimeoutMs: IDLE, execReapGraceMs: GRACE } });
  box = await createBox(s.origin, { name: 'reaper-box' });
  root = path.join(s.t.homeDir, 'boxes', box, 'rootfs');
});
afterAll(async () => { await s.close(); });

const execUrl = (eid: string) => `${s.origin}/v1/boxes/${box}/executions/${eid}`;

const alive = isRunning;

async function pidOf(file: string): Promise<number> {
  await until(() => fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim() !== '', 3000, file);
  return Number(fs.readFileSync(file, 'utf8').trim());
}

describe('the reaper', () => {
  it('an exec nobody attaches to or polls gets SIGHUP, then answers 410', async () => {
    const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'trap "echo hup > got-hup; exit 0" HUP; echo $$ > pid-a; while :; do sleep 0.05; done'] });
    const pid = await pidOf(path.join(root, 'pid-a'));
    await until(() => fs.existsSync(path.join(root, 'got-hup')), IDLE + 3000, 'SIGHUP');
    await until(() => !alive(pid), 10_000, 'exit');
    const gone = expectEnvelope(await request(execUrl(eid)), 410, 'session_reaped');
    expect(gone.message).toContain(eid);
    expectEnvelope(await request(execUrl(eid), { method: 'DELETE' }), 410, 'session_reaped');
    const refused = await attach(attachUrl(s.origin, box, eid)).then(() => null, (e) => e);
    expect(refused.status).toBe(410);
    expect(refused.body.error.code).toBe('session_reaped');
  });

  it('a command that ignores SIGHUP is SIGKILLed after the grace period', async () => {
    // The command notes the SIGHUP and carries on, so the test waits for the
    // SIGHUP itself rather than a fixed time (which, on a loaded machine,
    // could end before the SIGHUP or after the SIGKILL).
    const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'trap "echo hup > got-hup-b" HUP; echo $$ > pid-b; while :; do sleep 0.05; done'] });
    const pid = await pidOf(path.join(root, 'pid-b'));
    await until(() => fs.existsSync(path.join(root, 'got-hup-b')), IDLE + 5000, 'SIGHUP');
    expect(alive(pid)).toBe(true); // SIGHUP did not end it: still inside the grace period
    await until(() => !alive(pid), GRACE + 10_000, 'SIGKILL');
    expectEnvelope(await request(execUrl(eid)), 410, 'session_reaped');
  });

  it('polling the status keeps an exec alive; so does an attached socket', async () => {
    const eid = await startExec(s.origin, box, { command: 'sh', args: ['-c', 'echo $$ > pid-e; exec sleep 30'] });
    for (let i = 0; i < 8; i++) {
      await sleep(IDLE / 4);
      expect((await request(execUrl(eid))).json.status).toBe('running');
    }
    const at = await attach(attachUrl(s.origin, box, eid));
    const pid = await pidOf(path.join(root, 'pid-e')); // read while attached: waiting for it is no poll
    await sleep(IDLE * 2.5);
    expect(at.ws.readyState).toBe(at.ws.OPEN);
    expect((await request(execUrl(eid))).json.status).toBe('running');
    at.ws.close();
    await at.closed;
    // Detached, it is reaped: its process gets SIGHUP and ends. (Polling the
    // status would keep it alive: watch the process instead, with a deadline
    // well short of the 30 s it would otherwise run.)
    await until(() => !alive(pid), IDLE + 10_000, 'reaped after the socket closed');
    expectEnvelope(await request(execUrl(eid)), 410, 'session_reaped');
  });

  it('a finished exec nobody collects is reaped too (its buffered output is freed)', async () => {
    const eid = await startExec(s.origin, box, { command: 'echo', args: ['unread'] });
    const before = s.handler.activeExecutions;
    await until(() => s.handler.activeExecutions < before, IDLE * 3 + 3000, 'reaped');
    expectEnvelope(await request(execUrl(eid)), 410, 'session_reaped');
  });
});

describe('box removal and shutdown', () => {
  it('removing a box takes its executions with it', async () => {
    const doomed = await createBox(s.origin);
    const eid = await startExec(s.origin, doomed, { command: 'sh', args: ['-c', 'echo $$ > pid-c; sleep 30'] });
    const pid = await pidOf(path.join(s.t.homeDir, 'boxes', doomed, 'rootfs', 'pid-c'));
    const at = await attach(attachUrl(s.origin, doomed, eid));
    expect((await request(`${s.origin}/v1/boxes/${doomed}?force=true`, { method: 'DELETE' })).status).toBe(204);
    expect((await at.closed).closeCode).toBe(1000);
    await until(() => !alive(pid), 10_000, 'process gone');
    expectEnvelope(await request(`${s.origin}/v1/boxes/${doomed}/executions/${eid}`), 404, 'not_found');
    const refused = await attach(attachUrl(s.origin, doomed, eid)).then(() => null, (e) => e);
    expect(refused.status).toBe(404);
  });

  it('handler.close() kills running executions, closes sockets and refuses new work', async () => {
    const own = await serve({ t: s.t, handler: { auth: 'none' } });
    const eid = await startExec(own.origin, box, { command: 'sh', args: ['-c', 'echo $$ > pid-d; sleep 30'] });
    const pid = await pidOf(path.join(root, 'pid-d'));
    const at = await attach(attachUrl(own.origin, box, eid));
    expect(own.handler.activeExecutions).toBe(1);
    await own.handler.close();
    expect(own.handler.activeExecutions).toBe(0);
    expect((await at.closed).closeCode).toBe(1001);
    await until(() => !alive(pid), 10_000, 'process gone');
    expectEnvelope(await request(`${own.origin}/v1/boxes`), 503, 'upstream_unavailable');
    await own.close();
  });
});
