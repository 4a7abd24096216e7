// An upload cancelled mid-entry over HTTP/2 (RST_STREAM CANCEL: the session
// stays, only the stream goes): the staging directory is removed and no
// descriptor stays open on a staged file, as for an HTTP/1.1 client that
// disconnects (test/http-reliability-files). Same process: its own
// /proc/self/fd is read. Real h2c server on 127.0.0.1, test engine.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BoxliteHandler, createBoxliteHandler } from '../lib/http';
import { type TestRuntime, openTestRuntime } from '../lib/testing';
import { until } from './http-support';
import { closeSession, connect, h2request } from './http2-support';

let t: TestRuntime;
let handler: BoxliteHandler;
let server: http2.Http2Server;
let session: http2.ClientHttp2Session;
let staging: string;
let box: string;

beforeAll(async () => {
  staging = fs.mkdtempSync(path.join(os.tmpdir(), 'h2-cancel-'));
  t = await openTestRuntime();
  handler = createBoxliteHandler(t.runtime, { auth: 'none', tmpDir: staging });
  server = http2.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  session = await connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const a = await h2request(session, { method: 'POST', path: '/v1/boxes', body: '{"image":"alpine:latest"}', headers: { 'content-type': 'application/json' } });
  box = a.json.box_id;
}, 60_000);

afterAll(async () => {
  if (session) await closeSession(session);
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await handler?.close();
  await t?.close();
  if (staging) fs.rmSync(staging, { recursive: true, force: true });
});

/** Descriptors of this process open on something under the staging directory (deleted or not). */
function openUnderStaging(): string[] {
  const out: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(staging)) out.push(target);
    } catch { /* closed meanwhile */ }
  }
  return out;
}

describe('an HTTP/2 upload cancelled mid-entry', () => {
  it('20 times: no staging directory and no descriptor left; the session still serves', async () => {
    const header = new tar.Header({ path: 'big.bin', type: 'File', size: 8 << 20, mode: 0o644, mtime: new Date(0) });
    header.encode();
    const half = Buffer.concat([header.block as Buffer, crypto.randomBytes(4 << 20)]);
    for (let i = 0; i < 20; i++) {
      const stream = session.request({
        ':method': 'PUT', ':path': `/v1/boxes/${box}/files?path=/cancelled`, 'content-type': 'application/x-tar',
      });
      stream.on('error', () => undefined);
      stream.on('response', () => undefined);
      await new Promise<void>((resolve) => stream.write(half, () => resolve()));
      // Wait until the server is writing the entry (its staged file exists), then cancel.
      await until(() => openUnderStaging().some((p) => p.endsWith('big.bin')), 10_000, 'the staged file to be open');
      stream.close(http2.constants.NGHTTP2_CANCEL);
      await new Promise((resolve) => stream.once('close', resolve));
    }
    await until(() => fs.readdirSync(staging).length === 0 && openUnderStaging().length === 0, 10_000, 'staging to be released');
    const ok = await h2request(session, { path: `/v1/boxes/${box}` });
    expect(ok.status).toBe(200);
  }, 120_000);
});
