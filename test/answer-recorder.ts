// Records every answer a test server gives, for the OpenAPI conformance check
// (test/openapi-conformance.test.ts). Off unless BOXLITE_CONFORMANCE_LOG names
// a file: then serve() (http-support.ts) wraps its handler and upgrade hook
// with these taps, and each answer is appended to that file as one JSON line
// (method, path after /v1, query, status, headers, body text when textual).
// Appends are synchronous and small, so lines from parallel suites (separate
// processes) never interleave mid-line.
import { appendFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { basename } from 'node:path';
import type { Duplex } from 'node:stream';
import { expect } from 'vitest';

export const CONFORMANCE_LOG_ENV = 'BOXLITE_CONFORMANCE_LOG';
/** Bodies longer than this are recorded by size only (file downloads). */
const MAX_RECORDED_BODY = 1 << 20;

export interface RecordedAnswer {
  /** The test file that made the request. */
  suite: string;
  method: string;
  /** The path after /v1, with a leading '/' (e.g. '/boxes/abc/start'), or null when not under /v1. */
  path: string | null;
  query: string;
  status: number;
  /** Response headers, names in lower case. */
  headers: Record<string, string>;
  /** The body as text, or null when it was binary or larger than 1 MiB. */
  body: string | null;
  bodyBytes: number;
  /** How the answer was produced: an HTTP response, or a WebSocket upgrade answer. */
  via: 'http' | 'upgrade';
}

export function recordingEnabled(): boolean {
  return typeof process.env[CONFORMANCE_LOG_ENV] === 'string' && process.env[CONFORMANCE_LOG_ENV] !== '';
}

function currentSuite(): string {
  try {
    const path = expect.getState().testPath;
    return path ? basename(path) : 'unknown';
  } catch {
    return 'unknown';
  }
}

function splitTarget(url: string, basePath: string): { path: string | null; query: string } {
  const q = url.indexOf('?');
  let path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  if (basePath !== '' && path.startsWith(basePath)) path = path.slice(basePath.length);
  return { path: path.startsWith('/v1/') ? path.slice(3) : path === '/v1' ? '/' : null, query };
}

function isTextual(contentType: string): boolean {
  return contentType === '' || /json|text/i.test(contentType);
}

function append(answer: RecordedAnswer): void {
  appendFileSync(process.env[CONFORMANCE_LOG_ENV] as string, `${JSON.stringify(answer)}\n`);
}

function lowerHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return out;
}

/** A request listener that records each answer of `listener`, then behaves exactly like it. */
export function recordingListener(listener: RequestListener, basePath = ''): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const suite = currentSuite();
    const chunks: Buffer[] = [];
    let bytes = 0;
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      const buf = Buffer.isBuffer(chunk) ? chunk
        : typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? encoding as BufferEncoding : 'utf8')
          : Buffer.from(chunk as Uint8Array);
      bytes += buf.length;
      if (bytes <= MAX_RECORDED_BODY) chunks.push(buf);
    };
    let headHeaders: Record<string, string> = {};
    const writeHead = res.writeHead;
    const write = res.write;
    const end = res.end;
    // writeHead(status, headers) sends its headers without storing them where getHeaders() looks.
    res.writeHead = function recordedWriteHead(this: ServerResponse, ...args: unknown[]) {
      const h = args.find((x) => typeof x === 'object' && x !== null && !Array.isArray(x));
      if (h) headHeaders = lowerHeaders(h as Record<string, unknown>);
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['writeHead'];
    res.write = function recordedWrite(this: ServerResponse, ...args: unknown[]) {
      keep(args[0], args[1]);
      return (write as (...a: unknown[]) => boolean).apply(this, args);
    } as ServerResponse['write'];
    res.end = function recordedEnd(this: ServerResponse, ...args: unknown[]) {
      keep(args[0], args[1]);
      return (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    } as ServerResponse['end'];
    res.once('finish', () => {
      const headers = { ...lowerHeaders(res.getHeaders() as Record<string, unknown>), ...headHeaders };
      const textual = isTextual(headers['content-type'] ?? '') && bytes <= MAX_RECORDED_BODY;
      append({
        suite, method: req.method ?? 'GET', ...splitTarget(req.url ?? '/', basePath), status: res.statusCode, headers,
        body: textual ? Buffer.concat(chunks).toString('utf8') : null, bodyBytes: bytes, via: 'http',
      });
    });
    listener(req, res);
  };
}

/**
 * Records the answer written on an upgrade socket: the 101 of a successful
 * handshake (its head only; WebSocket frames follow) or a refusal (head and
 * body, then the socket ends).
 */
export function recordUpgradeAnswer(req: IncomingMessage, socket: Duplex, basePath = ''): void {
  const suite = currentSuite();
  let raw = Buffer.alloc(0);
  let done = false;
  const finish = () => {
    if (done) return;
    const text = raw.toString('latin1');
    const headEnd = text.indexOf('\r\n\r\n');
    if (headEnd === -1) return;
    done = true;
    const lines = text.slice(0, headEnd).split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0])?.[1] ?? 0);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const body = status === 101 ? '' : raw.subarray(Buffer.byteLength(text.slice(0, headEnd + 4), 'latin1')).toString('utf8');
    append({
      suite, method: req.method ?? 'GET', ...splitTarget(req.url ?? '/', basePath), status, headers,
      body, bodyBytes: Buffer.byteLength(body), via: 'upgrade',
    });
  };
  const write = socket.write;
  const end = socket.end;
  const keep = (chunk: unknown) => {
    if (done || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    raw = Buffer.concat([raw, Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), 'latin1')]);
  };
  socket.write = function recordedWrite(this: Duplex, ...args: unknown[]) {
    keep(args[0]);
    if (raw.toString('latin1').startsWith('HTTP/1.1 101')) finish();
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Duplex['write'];
  socket.end = function recordedEnd(this: Duplex, ...args: unknown[]) {
    keep(args[0]);
    finish();
    return (end as (...a: unknown[]) => Duplex).apply(this, args);
  } as Duplex['end'];
}
