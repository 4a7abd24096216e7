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

/**
 * Throws 413 early when Content-Length already says the body is too big.
 * Node's HTTP parser accepts only digits there, so the number is a
 * non-negative integer; an absent header reads as NaN, which exceeds nothing.
 */
export function checkDeclaredLength(req: IncomingMessage, limit: number): void {
  if (Number(headerOf(req, 'content-length')) > limit) throw payloadTooLarge(limit);
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
  // The 'end' and 'error' listeners are not removed afterwards: they die with
  // the request, and `settled` makes any late event a no-op.
  const onData = (chunk: Buffer): void => {
    size += chunk.length;
    if (size <= limit) {
      chunks.push(chunk);
      return;
    }
    settled = true;
    // Drain the rest unread and uncounted; the answer closes the connection.
    // Stryker disable next-line StringLiteral: with the listener left on, a second refusal finds the 413 sent and changes nothing
    req.off('data', onData);
    req.resume();
    done(payloadTooLarge(limit));
  };
  req.on('data', onData);
  req.on('end', () => {
    if (settled) return;
    // Stryker disable next-line BooleanLiteral: a stream ends once
    settled = true;
    // A small body arrives as one chunk: handed on as it is, not copied into a new Buffer.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: Buffer.concat gives the same bytes
    done(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
  });
  // A client that goes away mid-body makes the request emit 'error' (aborted).
  // Stryker disable next-line BlockStatement,StringLiteral: a request errors only when its caller hung up, and then nobody is left to answer (sendError returns for a destroyed socket)
  req.on('error', (err: Error) => {
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: as above, nobody is left to tell the difference
    if (settled) return;
    // Stryker disable next-line BooleanLiteral: as above
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
  if (
    (req.readableEnded &&
      // Stryker disable next-line ConditionalExpression: a stream has ended only if someone read it, and middleware that reads a body sets req.body
      pre.body !== undefined) ||
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: body-parser sets `_body` only after reading the stream to its end, so the clause above holds too
    pre._body === true
  ) {
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
  const text = raw.toString('utf8');
  // Empty or whitespace only: no body. Checked first: a throw is costly.
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    // JSON.parse throws SyntaxErrors only.
    throw invalid(`request body is not valid JSON (${(err as Error).message})`);
  }
}
