// Shared by the test/http-*.test.ts suites: a real handler on a real
// http.Server (127.0.0.1, ephemeral port) over a real runtime on the test
// engine, plus small real-HTTP and real-WebSocket clients.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { attachBoxliteUpgrade, createBoxliteHandler, type BoxliteHandler, type BoxliteHandlerOptions } from '../lib/http';
import type { Runtime } from '../lib/runtime/runtime-types';
import { recordUpgradeAnswer, recordingEnabled, recordingListener } from './answer-recorder';
import { openTestRuntime, type TestRuntime } from '../lib/testing';

export interface Served {
  t: TestRuntime;
  handler: BoxliteHandler;
  server: http.Server;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** 5xx and background errors the handler reported. */
  errors: unknown[];
  close(): Promise<void>;
}

export interface ServeOptions {
  handler?: BoxliteHandlerOptions;
  /** Reuse a runtime (its owner closes it). */
  t?: TestRuntime;
  /** Serve this runtime instead of t.runtime (e.g. a wrapper that holds calls back); t still owns the engine. */
  runtime?: Runtime;
}

export async function serve(options: ServeOptions = {}): Promise<Served> {
  const ownsRuntime = options.t === undefined;
  const t = options.t ?? await openTestRuntime();
  const errors: unknown[] = [];
  const handlerOptions: BoxliteHandlerOptions = { onError: (err) => errors.push(err), ...options.handler };
  if (handlerOptions.authenticate === undefined && handlerOptions.auth === undefined) handlerOptions.auth = 'none';
  const handler = createBoxliteHandler(options.runtime ?? t.runtime, handlerOptions);
  // With BOXLITE_CONFORMANCE_LOG set, every answer is recorded for the OpenAPI check.
  const recording = recordingEnabled();
  const basePath = handlerOptions.basePath ?? '';
  const server = http.createServer(recording ? recordingListener(handler, basePath) : handler);
  attachBoxliteUpgrade(server, recording ? {
    upgrade(req, socket, head) {
      recordUpgradeAnswer(req, socket, basePath);
      return handler.upgrade(req, socket, head);
    },
  } : handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    t, handler, server, errors,
    origin: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handler.close();
      if (ownsRuntime) await t.close();
    },
  };
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** All of `res`: status, headers, text, and the JSON it parses to (undefined when it is not JSON). */
export function readAnswer(res: http.IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
    });
    res.on('error', reject);
  });
}

/** One HTTP request on a fresh connection (no pooling, nothing left open). */
export function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Connection: 'close', ...init.headers };
    if (init.body !== undefined && headers['Content-Type'] === undefined && headers['content-type'] === undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const req = http.request(url, { method: init.method ?? 'GET', headers, agent: false }, (res) => {
      readAnswer(res).then(resolve, reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return request(url, { method: 'POST', body: JSON.stringify(body), headers });
}

/** The envelope every error answer must carry, with the request id echoed. */
export function expectEnvelope(a: Answer, status: number, code: string): { message: string; type: string; code: string; request_id: string } {
  if (a.status !== status || a.json?.error?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${a.status} ${a.text}`);
  }
  const err = a.json.error;
  if (typeof err.message !== 'string' || typeof err.type !== 'string' || err.request_id !== a.headers['x-request-id']) {
    throw new Error(`malformed envelope: ${a.text} (x-request-id ${String(a.headers['x-request-id'])})`);
  }
  return err;
}

export async function createBox(origin: string, body: Record<string, unknown> = {}, prefix = ''): Promise<string> {
  const a = await postJson(`${origin}/v1/${prefix}boxes`, { image: 'alpine:latest', ...body });
  if (a.status !== 201) throw new Error(`create failed: ${a.status} ${a.text}`);
  return a.json.box_id as string;
}

export async function startExec(origin: string, boxId: string, body: Record<string, unknown>, prefix = ''): Promise<string> {
  const a = await postJson(`${origin}/v1/${prefix}boxes/${boxId}/exec`, body);
  if (a.status !== 201) throw new Error(`exec failed: ${a.status} ${a.text}`);
  return a.json.execution_id as string;
}

export interface Attached {
  ws: WebSocket;
  stdout: () => string;
  stderr: () => string;
  /** Text frames in arrival order (parsed). */
  control: Array<Record<string, unknown>>;
  /** ms from open to the first server Ping, or null. */
  firstPingMs: () => number | null;
  pings: () => number;
  /** Headers of the 101 answer. */
  upgradeHeaders: Record<string, string | string[] | undefined>;
  /** Resolves at close: the exit code from the exit frame (or null) and the close code. */
  closed: Promise<{ exitCode: number | null; closeCode: number }>;
}

export function attachUrl(origin: string, boxId: string, execId: string, prefix = ''): string {
  return `${origin.replace('http', 'ws')}/v1/${prefix}boxes/${boxId}/executions/${execId}/attach`;
}

/** Opens the attach WebSocket; rejects with {status, body} when the upgrade is refused. */
export function attach(url: string, headers: Record<string, string> = {}): Promise<Attached> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, perMessageDeflate: false });
    let out = Buffer.alloc(0);
    let err = Buffer.alloc(0);
    const control: Array<Record<string, unknown>> = [];
    let openedAt = 0;
    let firstPing: number | null = null;
    let pings = 0;
    let exitCode: number | null = null;
    let upgradeHeaders: Record<string, string | string[] | undefined> = {};
    ws.on('upgrade', (res) => { upgradeHeaders = res.headers; });
    ws.on('ping', () => {
      pings++;
      if (firstPing === null) firstPing = Date.now() - openedAt;
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        if (data[0] === 1) out = Buffer.concat([out, data.subarray(1)]);
        else if (data[0] === 2) err = Buffer.concat([err, data.subarray(1)]);
      } else {
        const msg = JSON.parse(data.toString('utf8'));
        control.push(msg);
        if (msg.type === 'exit') exitCode = msg.exit_code;
      }
    });
    const closed = new Promise<{ exitCode: number | null; closeCode: number }>((res) => {
      ws.on('close', (code) => res({ exitCode, closeCode: code }));
    });
    let refused = false;
    ws.on('unexpected-response', (_req, res) => {
      refused = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        reject(Object.assign(new Error(`upgrade refused: ${res.statusCode} ${body}`), { status: res.statusCode, body: JSON.parse(body || 'null'), headers: res.headers }));
        ws.terminate();
      });
    });
    ws.on('error', (e) => { if (!refused) reject(e); });
    ws.on('open', () => {
      openedAt = Date.now();
      resolve({
        ws,
        stdout: () => out.toString('utf8'),
        stderr: () => err.toString('utf8'),
        control,
        firstPingMs: () => firstPing,
        pings: () => pings,
        upgradeHeaders,
        closed,
      });
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `fn` until it returns true (bounded: fails after `ms`). */
export async function until(fn: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}
