// @ts-nocheck
// Request bodies: JSON for every route but file upload, with a size limit
// enforced both from Content-Length (before reading a byte) and while reading
// (a chunked body announces no length).
//
// Callback-style on purpose: this is the path of every JSON request,
// including the 4xx answers the benchmark measures, and a callback from the
// stream's 'end' lets a bad body be answered in the same tick, as a
// hand-written server would.
import type { IncomingMessage } from 'node:http';
import { payloadTooLarge } from './http-error';
import { headerOf } from './raw-headers';
import { invalid } from './validate';

/** Body already parsed by middleware in front of us (express.json(), body-parser). */
interface PreParsed {
  body?: unknown;
  _body?: boolean;
}

function declaredLength(req: IncomingMessage): number | undefined {
  const raw = headerOf(req, 'content-length');
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Throws 413 early when Content-Length already says the body is too big. */
export function checkDeclaredLength(req: IncomingMessage, limit: number): void {
  const n = declaredLength(req);
  if (n !== undefined && n > limit) throw payloadTooLarge(limit);
}

export type BodyCallback<T> = (err: Error | null, value?: T) => void;

/** The raw body as one Buffer, at most `limit` bytes. Calls back exactly once. */
export function readBody(req: IncomingMessage, limit: number, done: BodyCallback<Buffer>): void {
  try {
    checkDeclaredLength(req, limit);
  } catch (err) {
    done(err as Error);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  // The listeners are not removed afterwards: they die with the request, and
  // `settled` makes any late event a no-op.
  req.on('data', (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (size <= limit) {
      chunks.push(chunk);
      return;
    }
    settled = true;
    req.resume(); // drain the rest unbuffered; the answer closes the connection
    done(payloadTooLarge(limit));
  });
  req.on('end', () => {
    if (settled) return;
    settled = true;
    done(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
  });
  // A client that goes away mid-body makes the request emit 'error' (aborted).
  req.on('error', (err: Error) => {
    if (settled) return;
    settled = true;
    done(err);
  });
}

/**
 * The JSON body (undefined for an empty one). Malformed JSON is a 400 with the
 * parser's reason. A body some middleware already parsed is used as it is
 * (its stream is spent).
 */
export function readJsonBody(req: IncomingMessage, limit: number, done: BodyCallback<unknown>): void {
  const pre = req as IncomingMessage & PreParsed;
  if (pre._body === true || (req.readableEnded && pre.body !== undefined)) {
    let value: unknown;
    try {
      value = Buffer.isBuffer(pre.body) ? parseJson(pre.body) : pre.body;
    } catch (err) {
      done(err as Error);
      return;
    }
    done(null, value);
    return;
  }
  readBody(req, limit, (err, raw) => {
    if (err) {
      done(err);
      return;
    }
    let value: unknown;
    try {
      value = parseJson(raw as Buffer);
    } catch (parseErr) {
      done(parseErr as Error);
      return;
    }
    done(null, value);
  });
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    if (text.trim() === '') return undefined; // whitespace only: no body
    const reason = err instanceof Error ? err.message : String(err);
    throw invalid(`request body is not valid JSON (${reason})`);
  }
}
