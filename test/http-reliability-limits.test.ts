// Caps, dead sockets, resource errors and the server's own secret, on a real
// `boxlite-native serve --engine test` child process. 2-core scale; the
// thousands-of-executions run is bench/stress/exec-caps.js.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const load = createRequire(__filename);
const srv = load('../bench/stress/support/server-process.js');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Server = any;
const json = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });

async function exec(server: Server, box: string, command: string, args: string[] = [], headers: Record<string, string> = {}) {
  return srv.request(`${server.origin}/v1/boxes/${box}/exec`, { ...json({ command, args }), headers });
}

function expectExhausted(r: { status: number; headers: Record<string, string>; json: { error: { code: string; message: string } } }, option: string) {
  expect(r.status).toBe(429);
  expect(r.json.error.code).toBe('resource_exhausted');
  expect(r.json.error.message).toContain(option);
  expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
}

/** Opens an attach WebSocket; resolves 'open' or the HTTP status of the refusal. */
function attach(server: Server, box: string, execId: string, options: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; status: number }> {
  const url = `${server.origin.replace('http', 'ws')}/v1/boxes/${box}/executions/${execId}/attach`;
  const ws = new WebSocket(url, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, status: 101 }));
    ws.once('unexpected-response', (_req, res) => { res.resume(); resolve({ ws, status: res.statusCode ?? 0 }); });
    ws.once('error', reject);
  });
}

describe('caps answer 429 with Retry-After, and the server keeps serving', () => {
  let server: Server;
  beforeAll(async () => {
    // The first attach below must still hold the only socket slot when the
    // second one asks: a pong timeout a loaded machine cannot stall past.
    server = await srv.startServer({
      limits: { maxExecutions: 6, maxExecutionsPerBox: 4, maxBoxes: 3, maxAttachSockets: 1, pingIntervalMs: 100, pongTimeoutMs: 800 },
    });
  });
  afterAll(async () => { await server?.stop(); });

  it('executions per box and per server, boxes, attach sockets; a freed slot is usable again', async () => {
    const a = await srv.createBox(server.origin);
    const b = await srv.createBox(server.origin);
    const statuses: number[] = [];
    const aIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await exec(server, a, 'sleep', ['600']);
      statuses.push(r.status);
      aIds.push(r.json.execution_id);
    }
    expect(statuses).toEqual([201, 201, 201, 201]);
    expectExhausted(await exec(server, a, 'sleep', ['600']), 'maxExecutionsPerBox');
    expect((await exec(server, b, 'sleep', ['600'])).status).toBe(201);
    expect((await exec(server, b, 'sleep', ['600'])).status).toBe(201);
    expectExhausted(await exec(server, b, 'sleep', ['600']), 'maxExecutions');
    // Everything else still works at the cap.
    expect((await srv.request(`${server.origin}/v1/boxes`)).status).toBe(200);
    expect((await srv.request(`${server.origin}/v1/boxes/${a}/executions/${aIds[0]}`)).status).toBe(200);

    // Boxes: two exist, one more fits.
    expect((await srv.request(`${server.origin}/v1/boxes`, json({ image: 'alpine' }))).status).toBe(201);
    expectExhausted(await srv.request(`${server.origin}/v1/boxes`, json({ image: 'alpine' })), 'maxBoxes');

    // Attach sockets: one server-wide.
    const first = await attach(server, a, aIds[0]);
    expect(first.status).toBe(101);
    const second = await attach(server, a, aIds[1]);
    expect(second.status).toBe(429);
    first.ws.close();
    await new Promise((r) => first.ws.once('close', r));
    const third = await srv.waitFor(async () => { const t = await attach(server, a, aIds[1]); return t.status === 101 ? t : (t.ws.terminate(), null); });
    expect(third?.status).toBe(101);
    third.ws.close();

    // A killed execution frees its slot once its process is gone.
    expect((await srv.request(`${server.origin}/v1/boxes/${a}/executions/${aIds[3]}`, { method: 'DELETE' })).status).toBe(204);
    const again = await srv.waitFor(async () => {
      const r = await exec(server, a, 'sleep', ['600']);
      statuses.push(r.status);
      return r.status === 201 ? r : null;
    }, { timeoutMs: 10_000, everyMs: 50 });
    expect(again?.status).toBe(201);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });

  it('a socket that never answers pings is dropped within the pong timeout and its attach slot freed; a live one stays', async () => {
    // A live client must answer every Ping within the pong timeout, so the
    // timeout is what a loaded machine can stall either process for: 300 ms
    // was within reach of a busy 2-core CI host (the server's check and the
    // Pong waiting in its socket run in the same loop turn after a stall).
    // 800 ms still lets the live client outlast several timeouts below.
    const PONG_TIMEOUT_MS = 800;
    const own = await srv.startServer({ limits: { maxAttachSockets: 1, pingIntervalMs: 100, pongTimeoutMs: PONG_TIMEOUT_MS } });
    try {
      const box = await srv.createBox(own.origin);
      const started = await exec(own, box, 'sleep', ['600']);
      expect(started.status).toBe(201);
      const execId = started.json.execution_id;
      const dead = await attach(own, box, execId, { autoPong: false });
      expect(dead.status).toBe(101);
      const t0 = Date.now();
      const closed = await new Promise<number>((resolve) => {
        const timer = setTimeout(() => resolve(-1), 5_000);
        dead.ws.once('close', (code) => { clearTimeout(timer); resolve(code); });
      });
      expect(closed).toBe(1006); // terminated: no close frame for a peer that is not there
      // Not before the timeout (the server starts counting at the upgrade,
      // a little before this client saw 'open').
      expect(Date.now() - t0).toBeGreaterThanOrEqual(PONG_TIMEOUT_MS - 50);
      // Both slots (the execution's single attach and the server-wide one) are free again:
      // a live client attaches and stays past several timeouts.
      const live = await srv.waitFor(async () => { const t = await attach(own, box, execId); return t.status === 101 ? t : (t.ws.terminate(), null); });
      expect(live?.status).toBe(101);
      let liveClosed = false;
      live.ws.once('close', () => { liveClosed = true; });
      await new Promise((r) => setTimeout(r, 3 * PONG_TIMEOUT_MS + 200));
      expect(liveClosed).toBe(false);
      live.ws.close();
    } finally {
      await own.stop();
    }
  });
});

describe('file transfers in progress are capped', () => {
  it('past maxFileTransfers a transfer answers 429; the slot is back once the first one ends', async () => {
    const files = load('../bench/stress/support/files-support.js');
    const http = await import('node:http');
    const server = await srv.startServer({ limits: { maxFileTransfers: 1 } });
    try {
      const box = await srv.createBox(server.origin);
      // A slow upload holds the only slot: header and a little data, then nothing.
      const slow = http.request(`${server.origin}/v1/boxes/${box}/files?path=/slow`, {
        method: 'PUT', agent: false, headers: { 'Content-Type': 'application/x-tar', 'Transfer-Encoding': 'chunked' },
      });
      slow.on('error', () => undefined);
      slow.write(files.tarHeader('slow.bin', 1 << 20));
      slow.write(Buffer.alloc(4096));
      const holding = await srv.waitFor(() => srv.openFds(server.pid).links.some((l: string) => l.includes('/in/slow.bin')));
      expect(holding).toBe(true);
      const refused = await srv.request(`${server.origin}/v1/boxes/${box}/files?path=/`);
      expectExhausted(refused, 'maxFileTransfers');
      slow.destroy();
      const again = await srv.waitFor(async () => {
        const r = await srv.request(`${server.origin}/v1/boxes/${box}/files?path=/`);
        return r.status === 200 ? r : null;
      });
      expect(again?.status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe('descriptor limits are reached by the caps first', () => {
  it('under ulimit -n 400, 60 never-ending executions answer 201 or 429 (never 500), fds stay under the limit, other requests still work', async () => {
    const server = await srv.startServer({ ulimitFiles: 400 });
    try {
      const boxes = [await srv.createBox(server.origin), await srv.createBox(server.origin)];
      const statuses: number[] = [];
      for (let i = 0; i < 60; i++) statuses.push((await exec(server, boxes[i % 2], 'sleep', ['600'])).status);
      const tally = srv.countStatuses(statuses);
      expect(Object.keys(tally).sort()).toEqual(['201', '429']);
      expect(srv.openFds(server.pid).count).toBeLessThan(400);
      expect((await srv.request(`${server.origin}/v1/boxes`)).status).toBe(200);
      expect((await srv.request(`${server.origin}/v1/boxes/${boxes[0]}/files?path=/`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe('engine resource errors are 503, caller mistakes 400', () => {
  it('EMFILE/EAGAIN/ENOMEM from the engine answer 503 with Retry-After; E2BIG and ENAMETOOLONG answer 400', async () => {
    const server = await srv.startServer();
    try {
      const box = await srv.createBox(server.origin);
      const faults = path.join(server.home, '.test-engine', 'faults');
      fs.mkdirSync(path.dirname(faults), { recursive: true });
      const inject = (message: string) => {
        fs.writeFileSync(`${faults}.tmp`, `op=exec code=1 message=${message}\n`);
        fs.renameSync(`${faults}.tmp`, faults);
      };
      for (const [errno, text] of [[24, 'Too many open files'], [23, 'Too many open files in system'], [11, 'Resource temporarily unavailable'], [12, 'Cannot allocate memory']] as const) {
        inject(`internal error: spawn_failed: internal error: ${text} (os error ${errno})`);
        const r = await exec(server, box, 'true');
        expect(r.status).toBe(503);
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
      inject('internal error: spawn_failed: internal error: Argument list too long (os error 7)');
      expect((await exec(server, box, 'true')).status).toBe(400);
      inject('internal error: I/O error: File name too long (os error 36)');
      expect((await exec(server, box, 'true')).status).toBe(400);
      // And the server answers normally again.
      expect((await exec(server, box, 'true')).status).toBe(201);
    } finally {
      await server.stop();
    }
  });
});

describe("the server's API key never reaches commands", () => {
  it('env inside a box started by a server with BOXLITE_API_KEY prints no key', async () => {
    const key = `k-${Date.now()}-secret`;
    const server = await srv.startServer({ env: { BOXLITE_API_KEY: key } });
    try {
      const auth = { Authorization: `Bearer ${key}` };
      expect((await srv.request(`${server.origin}/v1/boxes`)).status).toBe(401); // the key is in force
      const box = await srv.createBox(server.origin, auth);
      const r = await exec(server, box, 'sh', ['-c', 'env > env.txt'], auth);
      expect(r.status).toBe(201);
      const file = path.join(server.home, 'boxes', box, 'rootfs', 'env.txt');
      const env = await srv.waitFor(() => {
        const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
        return text.includes('PATH=') ? text : null;
      });
      expect(env).toMatch(/PATH=/);
      expect(env).not.toContain(key);
      expect(env).not.toMatch(/BOXLITE_API_KEY/);
    } finally {
      await server.stop();
    }
  });
});

describe('limit options are checked', () => {
  it('the handler refuses nonsense caps and a pong timeout shorter than the ping interval', async () => {
    const { createBoxliteHandler } = await import('../lib/http');
    const { openTestRuntime } = await import('../lib/testing');
    const t = await openTestRuntime();
    try {
      expect(() => createBoxliteHandler(t.runtime, { auth: 'none', maxExecutions: 0 })).toThrow(/maxExecutions/);
      expect(() => createBoxliteHandler(t.runtime, { auth: 'none', maxBoxes: 2.5 })).toThrow(/maxBoxes must be a positive integer/);
      expect(() => createBoxliteHandler(t.runtime, { auth: 'none', pingIntervalMs: 1000, pongTimeoutMs: 500 })).toThrow(/pongTimeoutMs/);
      const ok = createBoxliteHandler(t.runtime, { auth: 'none', maxExecutions: 3, pongTimeoutMs: 45_000 });
      await ok.close();
    } finally {
      await t.close();
    }
  });

  it('the CLI refuses an unknown or non-numeric --limit with exit code 1', async () => {
    const { spawnSync } = await import('node:child_process');
    const cli = path.resolve(__dirname, '..', process.env.BOXLITE_DIST ?? 'dist', 'cli.js');
    for (const bad of ['maxNothing=3', 'maxExecutions=many', 'maxExecutions']) {
      const r = spawnSync(process.execPath, [cli, 'serve', '--engine', 'test', '--port', '0', '--limit', bad], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/--limit/);
    }
  });
});
