// For the HTTP/2 suites: a throwaway self-signed certificate made at run time
// (openssl; no key is ever committed), and a small real `http2.connect`
// client that collects one answer per stream.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { type Answer, readAnswer } from './http-support';

export interface Certificate {
  key: Buffer;
  cert: Buffer;
  /** Removes the directory the key was written to. */
  remove(): void;
}

/** A P-256 certificate for localhost and 127.0.0.1, valid one day, made by the openssl on PATH. */
export function selfSignedCertificate(): Certificate {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-h2-cert-'));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    return { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')), remove };
  } catch (err) {
    remove();
    throw new Error(`these tests need openssl on PATH to make a throwaway certificate: ${(err as Error).message}`);
  }
}

export interface H2Answer extends Answer {
  /** The stream's RST_STREAM code once closed (0: NO_ERROR). */
  rstCode: number | undefined;
  /** The response's raw bytes (a tar download). */
  bytes: Buffer;
  /** Bytes of the request body handed to the stream before it closed (less than the body: refused mid-way). */
  written: number;
}

export interface H2Request {
  method?: string;
  path: string;
  headers?: http2.OutgoingHttpHeaders;
  /** Written in 16 KiB pieces that respect backpressure. */
  body?: string | Buffer;
  /** Send the body without Content-Length (HTTP/2 needs none; the server learns its size as it reads). */
  unsized?: boolean;
}

/**
 * One request on `session`, as its own stream. A body gets Content-Length
 * unless `unsized`; a request without a body ends its stream with the
 * HEADERS frame (as curl and browsers send a body-less POST).
 */
export function h2request(session: http2.ClientHttp2Session, init: H2Request): Promise<H2Answer> {
  return new Promise((resolve, reject) => {
    const headers: http2.OutgoingHttpHeaders = { ':method': init.method ?? 'GET', ':path': init.path, ...init.headers };
    const body = typeof init.body === 'string' ? Buffer.from(init.body) : init.body;
    if (body !== undefined && !init.unsized) headers['content-length'] = body.length;
    const stream = session.request(headers, { endStream: body === undefined });
    const chunks: Buffer[] = [];
    let status = 0;
    let responseHeaders: http2.IncomingHttpHeaders = {};
    stream.on('response', (h) => {
      status = Number(h[':status']);
      responseHeaders = h;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('close', () => {
      if (status === 0) {
        reject(new Error(`stream closed without an answer (RST_STREAM ${stream.rstCode})`));
        return;
      }
      const bytes = Buffer.concat(chunks);
      const text = bytes.toString('utf8');
      let json: unknown;
      try { json = text === '' ? undefined : JSON.parse(text); } catch { json = undefined; }
      resolve({ status, headers: responseHeaders as Answer['headers'], text, json, bytes, rstCode: stream.rstCode, written: offset });
    });
    // Written in pieces with backpressure: a refused upload must be answered
    // while the client is still sending, not only after.
    let offset = 0;
    if (body === undefined) return;
    const write = (): void => {
      while (offset < body.length) {
        const piece = body.subarray(offset, offset + (16 << 10));
        offset += piece.length;
        if (!stream.write(piece)) {
          stream.once('drain', write);
          return;
        }
      }
      stream.end();
    };
    write();
  });
}

/** Opens a session and waits until it is connected (so a refused TLS handshake fails here, not in a test). */
export function connect(authority: string, options: http2.SecureClientSessionOptions = {}): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(authority, options);
    session.once('error', reject);
    session.once('connect', () => {
      session.off('error', reject);
      // A session error after connecting fails the stream that sees it.
      session.on('error', () => undefined);
      resolve(session);
    });
  });
}

/** Closes `session` and waits for it (its streams end first). */
export function closeSession(session: http2.ClientHttp2Session): Promise<void> {
  return new Promise((resolve) => {
    if (session.closed || session.destroyed) {
      resolve();
      return;
    }
    session.close(() => resolve());
  });
}

/**
 * One HTTP/1.1 request over TLS to 127.0.0.1:`port` on a fresh connection (no
 * pooling), trusting `ca` for `localhost` whatever Host the request names.
 * `path` is sent as written (no URL parsing that would resolve `%2E%2E`).
 */
export function https1request(port: number, path: string, ca: Buffer,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Connection: 'close', ...init.headers };
    const options = { host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers, agent: false, ca, servername: 'localhost' };
    const req = https.request(options, (res) => {
      readAnswer(res).then(resolve, reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
