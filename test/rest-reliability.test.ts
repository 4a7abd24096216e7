// Runtime.rest() when the network misbehaves: answers lost after the server
// acted (Idempotency-Key makes the retry replay, never redo), 429/503 with
// Retry-After (honoured, bounded in tries and time), requests aborted while
// pending, and attach sockets cut abruptly mid-stream or frozen (re-attach by
// itself; the loss bound of README "Scaling out"; wait() resolves once).
// Real servers on 127.0.0.1: the handler over the test engine, a TCP proxy
// in front of it, and small fake servers for the status-code cases.
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoxliteError, NetworkError, ResourceExhaustedError } from '../lib/errors/errors';
import { RemoteRuntime } from '../lib/remote/remote-runtime';
import { Runtime } from '../lib/runtime/runtime';
import { type Served, serve } from './http-support';

/** A TCP proxy to `target` that can cut its connections abruptly or freeze them. */
class Proxy {
  readonly server: net.Server;
  readonly pairs = new Set<[net.Socket, net.Socket]>();
  port = 0;
  /** Cut the next connection that carries more than this many bytes downstream (one shot). */
  cutAfterBytes: number | null = null;
  /** Stop forwarding (without closing) on the next connection past this many bytes (one shot). */
  freezeAfterBytes: number | null = null;
  cuts = 0;

  constructor(target: number) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(target, '127.0.0.1');
      const pair: [net.Socket, net.Socket] = [client, upstream];
      this.pairs.add(pair);
      let down = 0;
      let frozen = false;
      client.on('data', (c) => { if (!frozen) upstream.write(c); });
      upstream.on('data', (c: Buffer) => {
        if (frozen) return;
        down += c.length;
        if (this.cutAfterBytes !== null && down > this.cutAfterBytes) {
          this.cutAfterBytes = null;
          this.cuts++;
          // An abrupt drop: RST both ways, whatever was in flight is gone.
          client.resetAndDestroy();
          upstream.resetAndDestroy();
          return;
        }
        if (this.freezeAfterBytes !== null && down > this.freezeAfterBytes) {
          this.freezeAfterBytes = null;
          frozen = true; // a dead path: nothing passes, nothing closes
          return;
        }
        client.write(c);
      });
      const end = () => { client.destroy(); upstream.destroy(); this.pairs.delete(pair); };
      client.on('close', end);
      // A dead path does not pass a close either: once frozen, the server
      // giving up on its side (its own pong timeout) leaves the client's side
      // open and silent, so only the client's liveness check can end it.
      upstream.on('close', () => { if (frozen) upstream.destroy(); else end(); });
      client.on('error', () => {});
      upstream.on('error', () => {});
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const [a, b] of this.pairs) { a.destroy(); b.destroy(); }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('attach: abrupt drops and dead sockets', () => {
  let s: Served;
  let proxy: Proxy;
  let rt: RemoteRuntime;

  beforeAll(async () => {
    // Pings every 200 ms, a socket silent for 1 s is dead (server side too).
    // The proxy's port is not the server's: its Host header must be answered.
    s = await serve({ handler: { pingIntervalMs: 200, pongTimeoutMs: 1000, allowedHosts: '*' } });
    proxy = new Proxy(Number(new URL(s.origin).port));
    const url = await proxy.listen();
    rt = await Runtime.rest({ url, attachLivenessTimeoutMs: 1000, reattach: { baseDelayMs: 50, maxDelayMs: 500, maxAttempts: 40, maxElapsedMs: 20_000 } });
  });

  afterAll(async () => {
    await rt?.close();
    await proxy?.close();
    await s?.close();
  });

  it('re-attaches after a cut mid-stream; what arrives is in order, the gap within the bound, wait() resolves once', async () => {
    const box = await rt.createBox({ image: 'alpine:latest' });
    const LINES = 200_000;
    proxy.cutAfterBytes = 256 * 1024;
    const ex = await box.exec('sh', ['-c', `i=0; while [ $i -lt ${LINES} ]; do echo "$i"; i=$((i+1)); done`]);
    let text = '';
    ex.stdout.setEncoding('utf8');
    ex.stdout.on('data', (c: string) => { text += c; });
    let settled = 0;
    const code = await ex.wait().finally(() => { settled++; });
    expect(code).toBe(0);
    expect(proxy.cuts).toBe(1);
    expect((ex as unknown as { reattaches: number }).reattaches).toBeGreaterThanOrEqual(1);
    // In order, no duplicates; one gap at most (the drop); the start and the
    // end are complete. Checked on the bytes: frames carry bytes, not lines,
    // so the drop may begin or end inside a line.
    const written = Array.from({ length: LINES }, (_, i) => `${i}\n`).join('');
    expect(text.length).toBeLessThanOrEqual(written.length);
    const lost = written.length - text.length;
    let kept = 0; // bytes before the gap
    while (kept < text.length && text.charCodeAt(kept) === written.charCodeAt(kept)) kept++;
    expect(text.slice(kept)).toBe(written.slice(kept + lost));
    expect(text.startsWith('0\n')).toBe(true);
    expect(text.endsWith(`\n${LINES - 1}\n`)).toBe(true);
    // The bound: what the kernels (and this proxy) held when the connection
    // died. Loopback buffers are a few MiB at most.
    expect(lost).toBeLessThan(16 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(1);
    console.log(`cut mid-stream: ${text.length} of ${written.length} bytes arrived, ${lost} lost in the drop`);
  }, 60_000);

  it('loses nothing when the cut comes while the command is quiet', async () => {
    const box = await rt.createBox({ image: 'alpine:latest' });
    const ex = await box.exec('sh', ['-c', 'echo before; sleep 1.5; echo after; exit 4']);
    let text = '';
    ex.stdout.on('data', (c: Buffer) => {
      text += c.toString();
      // Once "before" arrived, nothing is in flight: cut now.
      if (text === 'before\n') for (const [a, b] of proxy.pairs) { a.resetAndDestroy(); b.resetAndDestroy(); }
    });
    expect(await ex.wait()).toBe(4);
    expect(text).toBe('before\nafter\n');
    expect(ex.reattaches).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('replaces a frozen socket (no close, no pings) and still gets the exit', async () => {
    const box = await rt.createBox({ image: 'alpine:latest' });
    const ex = await box.exec('sh', ['-c', 'echo a; sleep 0.3; i=0; while [ $i -lt 3000 ]; do echo x$i; i=$((i+1)); done; sleep 2; echo done']);
    let text = '';
    ex.stdout.on('data', (c: Buffer) => { text += c.toString(); });
    // Frozen once attached (the first output arrived), not during the
    // handshake: a socket that was open and then went silent.
    const deadline = Date.now() + 10_000;
    while (!text.startsWith('a\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    proxy.freezeAfterBytes = 0;
    expect(await ex.wait()).toBe(0);
    expect(text.endsWith('done\n')).toBe(true);
    expect(ex.reattaches).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('stdin and output keep flowing after a re-attach', async () => {
    const box = await rt.createBox({ image: 'alpine:latest' });
    const ex = await box.exec('cat');
    let text = '';
    ex.stdout.on('data', (c: Buffer) => { text += c.toString(); });
    ex.stdin.write('one\n');
    while (!text.includes('one\n')) await new Promise((r) => setTimeout(r, 10));
    for (const [a, b] of proxy.pairs) { a.resetAndDestroy(); b.resetAndDestroy(); }
    await new Promise((r) => setTimeout(r, 300));
    ex.stdin.end('two\n');
    expect(await ex.wait()).toBe(0);
    expect(text).toBe('one\ntwo\n');
  }, 30_000);
});

describe('lost answers: a retried create or exec happens once', () => {
  let s: Served;

  beforeAll(async () => {
    s = await serve();
  });

  afterAll(async () => {
    await s?.close();
  });

  /** A fetch that lets the request reach the server, then loses the answer of the first matching one. */
  function losing(match: (method: string, url: string) => boolean): { fetch: typeof fetch; lost: () => number; keys: string[] } {
    let lost = 0;
    const keys: string[] = [];
    const impl: typeof fetch = async (input, init) => {
      const method = init?.method ?? 'GET';
      const url = String(input);
      const res = await fetch(input, init);
      if (match(method, url)) {
        keys.push(String((init?.headers as Record<string, string>)['Idempotency-Key']));
        if (lost === 0) {
          lost++;
          await res.arrayBuffer();
          throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
        }
      }
      return res;
    };
    return { fetch: impl, lost: () => lost, keys };
  }

  it('create: the retry replays the first answer (one box, the same id)', async () => {
    const l = losing((m, u) => m === 'POST' && u.endsWith('/v1/boxes'));
    const rt = await Runtime.rest({ url: s.origin, fetch: l.fetch, retry: { baseDelayMs: 10 } });
    const before = (await s.t.runtime.listBoxes()).length;
    const box = await rt.createBox({ image: 'alpine:latest', name: 'once' });
    expect(l.lost()).toBe(1);
    expect(l.keys.length).toBe(2);
    expect(l.keys[0]).toBe(l.keys[1]); // the same Idempotency-Key on the retry
    const after = await s.t.runtime.listBoxes();
    expect(after.length).toBe(before + 1);
    expect(after.filter((b) => b.name === 'once').map((b) => b.id)).toEqual([box.id]);
  });

  it('exec: the retry replays the same execution id (one process)', async () => {
    const l = losing((m, u) => m === 'POST' && u.endsWith('/exec'));
    const rt = await Runtime.rest({ url: s.origin, fetch: l.fetch, retry: { baseDelayMs: 10 } });
    const box = await rt.createBox({ image: 'alpine:latest', name: 'exec-once' });
    const commandsBefore = (await box.metrics()).commandsExecuted;
    const ex = await box.exec('sh', ['-c', 'echo ran']);
    let out = '';
    ex.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    expect(await ex.wait()).toBe(0);
    expect(out).toBe('ran\n');
    expect(l.lost()).toBe(1);
    expect(l.keys[0]).toBe(l.keys[1]);
    expect((await box.metrics()).commandsExecuted).toBe(commandsBefore + 1);
  });

  it('without retries a lost answer is a NetworkError with status null', async () => {
    const l = losing((m, u) => m === 'POST' && u.endsWith('/v1/boxes'));
    const rt = await Runtime.rest({ url: s.origin, fetch: l.fetch, retry: false });
    const err = await rt.createBox({ image: 'alpine:latest' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError & { status: unknown }).status).toBeNull();
    expect((err as Error).message).toMatch(/^network error: POST \/v1\/boxes failed: fetch failed: socket hang up/);
  });
});

describe('429 / 503 / Retry-After / abort against a fake server', () => {
  let server: http.Server;
  let origin: string;
  const hits: Array<{ at: number; url: string; key: string | undefined }> = [];
  let mode: 'always-503' | '429-then-ok' | 'hang' | 'retry-after-long' = 'always-503';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push({ at: Date.now(), url: req.url ?? '', key: req.headers['idempotency-key'] as string | undefined });
      req.resume();
      const env = (status: number, code: string, type: string, message: string, retryAfter: string) => {
        res.writeHead(status, { 'Content-Type': 'application/json', 'Retry-After': retryAfter, 'X-Request-Id': `req-${hits.length}` });
        res.end(JSON.stringify({ error: { message, type, code, request_id: `req-${hits.length}` } }));
      };
      if (mode === 'hang') return; // never answers
      if (mode === 'always-503') return env(503, 'upstream_unavailable', 'UpstreamUnavailableError', 'portal error: runners busy', '0');
      if (mode === 'retry-after-long') return env(429, 'resource_exhausted', 'ResourceExhaustedError', 'resource exhausted: slow down', '3600');
      if (hits.length === 1) return env(429, 'resource_exhausted', 'ResourceExhaustedError', 'resource exhausted: slow down', '1');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ boxes_created_total: 1, num_running_boxes: 0 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('retries 503 up to maxAttempts, then throws the typed error with status and requestId', async () => {
    hits.length = 0;
    mode = 'always-503';
    const rt = await Runtime.rest({ url: origin, retry: { maxAttempts: 4, baseDelayMs: 10 } });
    const err = await rt.createBox({ image: 'alpine:latest' }).catch((e: unknown) => e) as BoxliteError & { status: number; requestId: string };
    expect(hits.length).toBe(4);
    expect(new Set(hits.map((h) => h.key)).size).toBe(1); // one key for every try
    expect(err.constructor.name).toBe('PortalError'); // prefix + wire code agree
    expect(err.status).toBe(503);
    expect(err.requestId).toBe('req-4');
  });

  it('honours Retry-After (seconds) before the next try', async () => {
    hits.length = 0;
    mode = '429-then-ok';
    const rt = await Runtime.rest({ url: origin, retry: { baseDelayMs: 1 } });
    const m = await rt.metrics();
    expect(m.boxesCreatedTotal).toBe(1);
    expect(hits.length).toBe(2);
    expect(hits[1].at - hits[0].at).toBeGreaterThanOrEqual(950);
  });

  it('gives up at once when Retry-After is past the time budget', async () => {
    hits.length = 0;
    mode = 'retry-after-long';
    const rt = await Runtime.rest({ url: origin, retry: { maxElapsedMs: 5000 } });
    const started = Date.now();
    const err = await rt.metrics().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceExhaustedError);
    expect(hits.length).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('an AbortSignal ends a pending call with its reason', async () => {
    hits.length = 0;
    mode = 'hang';
    const rt = await Runtime.rest({ url: origin });
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 100);
    const err = await rt.listBoxes({ signal: ac.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(Date.now() - started).toBeLessThan(5000);
    const timedOut = await rt.getBox('x', { signal: AbortSignal.timeout(100) }).catch((e: unknown) => e);
    expect((timedOut as Error).name).toBe('TimeoutError');
  });

  it('an abort during a backoff wait ends it too', async () => {
    hits.length = 0;
    mode = 'retry-after-long';
    const rt = await Runtime.rest({ url: origin, retry: { maxElapsedMs: 10_000_000 } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const err = await rt.metrics({ signal: ac.signal }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(hits.length).toBe(1);
  });

  it('a refused connection is a NetworkError after the bounded retries', async () => {
    // A port that was just free: nothing listens there.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const rt = await Runtime.rest({ url: `http://127.0.0.1:${port}`, retry: { maxAttempts: 2, baseDelayMs: 1 } });
    const err = await rt.metrics().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });
});
