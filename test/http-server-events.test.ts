// What Node's http.Server answers by itself, made BoxLite answers by
// attachBoxliteServerEvents (as the CLI's server does): parse errors, a
// missing Host, an unknown Expect, and "100 Continue" deferred until the
// request is admitted. Raw sockets, because well-behaved clients cannot send
// these requests. Plus: a flood of them writes a bounded number of log lines.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachBoxliteServerEvents, attachBoxliteUpgrade, createBoxliteHandler, type BoxliteHandler } from '../lib/http';
import { openTestRuntime, type TestRuntime } from '../lib/testing';

let t: TestRuntime;
let handler: BoxliteHandler;
let server: http.Server;
let port: number;
let detach: () => void;
const logged: string[] = [];
let box: string;

beforeAll(async () => {
  t = await openTestRuntime();
  handler = createBoxliteHandler(t.runtime, { auth: 'none', onRefusal: () => undefined });
  server = http.createServer({ requireHostHeader: false }, handler);
  attachBoxliteUpgrade(server, handler);
  detach = attachBoxliteServerEvents(server, { log: (line) => logged.push(line) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  box = (await t.runtime.createBox({ image: 'alpine:latest' })).id;
});

afterAll(async () => {
  detach();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await handler.close();
  await t.close();
});

/** Writes `raw`, collects everything until the server closes or `ms` pass. */
function exchange(raw: string | Buffer, ms = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => { sock.destroy(); resolve(got); }, ms);
    sock.on('data', (c) => { got += c; });
    sock.on('close', () => { clearTimeout(timer); resolve(got); });
    sock.on('error', reject);
    sock.write(raw);
  });
}

function envelopeOf(answer: string): { status: number; requestId: string | undefined; error: any } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
  const requestId = /\r\nX-Request-Id: ([^\r]+)/i.exec(answer)?.[1];
  const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
  return { status, requestId, error: JSON.parse(body).error };
}

const HOST = () => `Host: 127.0.0.1:${port}\r\n`;

describe('attachBoxliteServerEvents', () => {
  it('a request Node cannot parse gets the envelope and an X-Request-Id', async () => {
    const e = envelopeOf(await exchange('NOT HTTP AT ALL\r\n\r\n'));
    expect(e.status).toBe(400);
    expect(e.error).toMatchObject({ code: 'invalid_argument', request_id: e.requestId });
    expect(e.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('HTTP/1.1 without Host gets 400 with the envelope (requireHostHeader: false, the handler checks)', async () => {
    const e = envelopeOf(await exchange('GET /v1/config HTTP/1.1\r\nConnection: close\r\n\r\n'));
    expect(e.status).toBe(400);
    expect(e.error.message).toMatch(/missing Host header/);
    expect(e.error.request_id).toBe(e.requestId);
  });

  it('an unknown Expect gets 417 with the envelope, the caller\'s request id kept', async () => {
    const e = envelopeOf(await exchange(`GET /v1/config HTTP/1.1\r\n${HOST()}Expect: teapot\r\nX-Request-Id: req-417\r\nConnection: close\r\n\r\n`));
    expect(e.status).toBe(417);
    expect(e.error).toMatchObject({ code: 'invalid_argument', request_id: 'req-417' });
    expect(e.error.message).toMatch(/teapot/);
  });

  it('Expect: 100-continue on a refused upload: the final answer comes without "100 Continue" and before any body', async () => {
    for (const [headers, status] of [
      ['Content-Type: text/plain\r\n', 415],
      ['Content-Type: application/x-tar\r\nOrigin: http://evil.example\r\n', 403],
      ['Content-Type: application/x-tar\r\nHost: attacker.example\r\n', 421],
    ] as const) {
      const host = headers.includes('Host:') ? '' : HOST();
      const answer = await exchange(`PUT /v1/boxes/${box}/files?path=/x HTTP/1.1\r\n${host}${headers}Content-Length: 1024\r\nExpect: 100-continue\r\n\r\n`);
      expect(answer).not.toMatch(/100 Continue/);
      expect(envelopeOf(answer).status).toBe(status);
      expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    }
  });

  it('Expect: 100-continue on an admitted upload: "100 Continue", then the body, then 204', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'continue-'));
    fs.writeFileSync(path.join(dir, 'f.txt'), 'continued');
    const chunks: Buffer[] = [];
    for await (const c of tar.c({ cwd: dir, portable: true }, ['f.txt']) as AsyncIterable<Buffer>) chunks.push(c);
    fs.rmSync(dir, { recursive: true, force: true });
    const body = Buffer.concat(chunks);
    const answer = await new Promise<string>((resolve, reject) => {
      const sock = net.connect(port, '127.0.0.1');
      let got = '';
      let sent = false;
      const timer = setTimeout(() => { sock.destroy(); resolve(got); }, 5000);
      sock.on('data', (c) => {
        got += c;
        if (!sent && got.includes('100 Continue\r\n\r\n')) {
          sent = true;
          sock.write(body);
        }
        if (/HTTP\/1\.1 204/.test(got)) { clearTimeout(timer); sock.destroy(); resolve(got); }
      });
      sock.on('error', reject);
      sock.write(`PUT /v1/boxes/${box}/files?path=/tmp/continued HTTP/1.1\r\n${HOST()}Content-Type: application/x-tar\r\n`
        + `Content-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 204 /);
  });

  it('a flood of protocol violations writes a bounded number of log lines and one summary', async () => {
    const before = logged.length;
    // 60 bad connections, 4 at a time: enough to pass the burst many times over.
    for (let i = 0; i < 60; i += 4) {
      await Promise.all([0, 1, 2, 3].map(() => exchange('BAD\r\n\r\n', 2000)));
    }
    for (let i = 0; i < 20; i++) await exchange(`GET /v1/config HTTP/1.1\r\n${HOST()}Expect: x\r\nConnection: close\r\n\r\n`, 2000);
    const during = logged.slice(before);
    // 5 per kind per window (the earlier tests may have used some of this window's budget).
    expect(during.filter((l) => l.startsWith('malformed request')).length).toBeLessThanOrEqual(5);
    expect(during.filter((l) => l.startsWith('unsupported Expect')).length).toBeLessThanOrEqual(5);
    expect(during.length).toBeLessThanOrEqual(10);
    detach(); // flushes the window's summaries
    const summaries = logged.slice(before + during.length);
    expect(summaries.some((l) => /^\d+ more malformed-request event\(s\) .* not logged \(rate limit\)$/.test(l))).toBe(true);
    expect(summaries.some((l) => /^\d+ more unknown-expect event\(s\)/.test(l))).toBe(true);
    detach = attachBoxliteServerEvents(server, { log: (line) => logged.push(line) });
  });
});
