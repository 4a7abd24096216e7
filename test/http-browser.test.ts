// A real browser against the server (issue 8): headless Chromium loads a page
// from another local origin that tries everything a page can do without the
// server's consent (no-cors fetch, a text/plain POST, HTML form POSTs that
// smuggle JSON, WebSockets) against a no-authentication server, the CLI's
// default. The requests must reach the server (counted there) and be refused
// (403): no box is created (checked through the runtime) and no command runs
// (the command would create a marker file). Skips, saying why, only when no
// Chromium is installed (Debian: apt-get install chromium; .ci/run does).
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefusalEvent } from '../lib/http';
import { type Served, expectEnvelope, request, serve, until } from './http-support';

const onPath = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '')
  .flatMap((d) => [path.join(d, 'chromium'), path.join(d, 'chromium-browser')]);
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', ...onPath].find((p) => p && fs.existsSync(p));
if (!CHROMIUM) console.log('http-browser: SKIPPED: no Chromium found (set CHROMIUM_PATH or apt-get install chromium)');

/** The attacker's page: every request a page can send cross-origin without a preflight, plus WebSockets. */
function attackPage(targets: string[], box: string, execId: string, marker: string): string {
  const command = JSON.stringify({ command: 'sh', args: ['-c', `touch ${marker}`] });
  return `<!doctype html><html><body><script>
const targets = ${JSON.stringify(targets)};
const box = ${JSON.stringify(box)}, execId = ${JSON.stringify(execId)};
const command = ${JSON.stringify(command)};
const results = [];
const note = (what, p) => p.then((r) => results.push([what, 'answered', r && r.type]), (e) => results.push([what, 'failed', String(e)]));
function formPost(action, name, value, enctype) {
  return new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.name = 'f' + Math.random().toString(36).slice(2);
    document.body.appendChild(frame);
    frame.onload = () => resolve();
    setTimeout(resolve, 5000);
    const form = document.createElement('form');
    form.method = 'POST'; form.action = action; form.target = frame.name; form.enctype = enctype;
    const input = document.createElement('input');
    input.name = name; input.value = value;
    form.appendChild(input); document.body.appendChild(form);
    form.submit();
  });
}
function socket(url) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => { ws.send('go\\n'); results.push(['ws ' + url, 'OPENED']); setTimeout(resolve, 300); };
    ws.onerror = () => { results.push(['ws ' + url, 'error']); resolve(); };
    ws.onclose = () => resolve();
    setTimeout(resolve, 5000);
  });
}
(async () => {
  for (const t of targets) {
    await note('no-cors create ' + t, fetch(t + '/v1/boxes', { method: 'POST', mode: 'no-cors', body: '{"image":"alpine:latest","name":"nocors"}' }));
    await note('no-cors json create ' + t, fetch(t + '/v1/boxes', { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'application/json' }, body: '{"image":"alpine:latest","name":"nocorsjson"}' }));
    await note('no-cors exec ' + t, fetch(t + '/v1/boxes/' + box + '/exec', { method: 'POST', mode: 'no-cors', body: command }));
    await note('text/plain exec ' + t, fetch(t + '/v1/boxes/' + box + '/exec', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: command }));
    await note('text/plain create ' + t, fetch(t + '/v1/boxes', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"image":"alpine:latest","name":"textplain"}' }));
    await note('cors read ' + t, fetch(t + '/v1/boxes'));
    await note('no-cors stop ' + t, fetch(t + '/v1/boxes/' + box + '/stop', { method: 'POST', mode: 'no-cors' }));
    // The classic JSON CSRF: a text/plain form whose "name=value" is JSON.
    await formPost(t + '/v1/boxes/' + box + '/exec', command.slice(0, -1) + ',"x":"', '"}', 'text/plain');
    await formPost(t + '/v1/boxes', '{"image":"alpine:latest","name":"form","x":"', '"}', 'text/plain');
    await formPost(t + '/v1/boxes', 'image', 'alpine:latest', 'application/x-www-form-urlencoded');
    await socket(t.replace('http', 'ws') + '/v1/boxes/' + box + '/executions/' + execId + '/attach');
  }
  window.__results = results;
  window.__done = true;
})();
</script></body></html>`;
}

describe.skipIf(!CHROMIUM)('a web page in headless Chromium cannot drive a no-authentication server', () => {
  let s: Served;
  let page: http.Server;
  let pagePort: number;
  let work: string;
  let box: string;
  let execId: string;
  let browser: BrowserContext | undefined;
  let profile: string | undefined;
  const refusals: RefusalEvent[] = [];
  const seen: Array<{ method: string; url: string; origin?: string; site?: string; upgrade: boolean }> = [];

  beforeAll(async () => {
    s = await serve({ handler: { auth: 'none', onRefusal: (e) => refusals.push(e) } });
    // Count what actually reaches the server, so a browser that never sent
    // anything cannot pass this test.
    const record = (upgrade: boolean) => (req: http.IncomingMessage) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', origin: req.headers.origin, site: req.headers['sec-fetch-site'] as string | undefined, upgrade });
    };
    s.server.prependListener('request', record(false));
    s.server.prependListener('upgrade', record(true));
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'browser-'));
    const created = await request(`${s.origin}/v1/boxes`, { method: 'POST', body: '{"image":"alpine:latest"}' });
    box = created.json.box_id;
    // An exec waiting for stdin: a WebSocket that attached and wrote to it would create the marker.
    const ex = await request(`${s.origin}/v1/boxes/${box}/exec`, {
      method: 'POST', body: JSON.stringify({ command: 'sh', args: ['-c', `read x; touch ${path.join(work, 'ws-ran')}`] }),
    });
    execId = ex.json.execution_id;
    page = http.createServer((req, res) => {
      const targets = [s.origin, s.origin.replace('127.0.0.1', 'localhost')];
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(attackPage(targets, box, execId, path.join(work, 'ran')));
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    pagePort = (page.address() as AddressInfo).port;
    // One browser for the suite: launching Chromium is the slow part.
    const { chromium } = await import('playwright-core');
    profile = fs.mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      chromiumSandbox: false, // root in CI: Chromium's sandbox needs an unprivileged user
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
      timeout: 60_000,
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (profile) fs.rmSync(profile, { recursive: true, force: true });
    page?.closeAllConnections();
    await new Promise<void>((resolve) => (page ? page.close(() => resolve()) : resolve()));
    await s?.close();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it.each(['127.0.0.1', 'localhost'])('from a page on http://%s:<other port>: every attempt reaches the server and is refused; nothing created, nothing run', async (pageHost) => {
    const seenBefore = seen.length;
    const refusalsBefore = refusals.length;
    const boxesBefore = (await s.t.runtime.listBoxes()).map((b) => b.id).sort();
    const tab = await browser!.newPage();
    let results: unknown[];
    try {
      await tab.goto(`http://${pageHost}:${pagePort}/`);
      await tab.waitForFunction(() => (window as unknown as { __done?: boolean }).__done === true, null, { timeout: 45_000 });
      results = await tab.evaluate(() => (window as unknown as { __results: unknown[] }).__results);
    } finally {
      await tab.close();
    }
    // The page's own view: no WebSocket ever opened.
    expect(JSON.stringify(results)).not.toMatch(/OPENED/);

    const reached = seen.slice(seenBefore).filter((r) => r.url.startsWith('/v1/'));
    const pageOrigin = `http://${pageHost}:${pagePort}`;
    // Per target (127.0.0.1 and localhost): 6 fetch POSTs/GETs, 3 form POSTs, 1 WebSocket upgrade.
    expect(reached.filter((r) => !r.upgrade).length).toBeGreaterThanOrEqual(2 * 9);
    expect(reached.filter((r) => r.upgrade)).toHaveLength(2);
    // Everything the browser sent said where it came from, and every one was refused with 403.
    for (const r of reached) expect(r.origin, JSON.stringify(r)).toBe(pageOrigin);
    await until(() => refusals.length - refusalsBefore >= reached.length, 5000, 'every request refused');
    const mine = refusals.slice(refusalsBefore);
    expect(mine.every((e) => e.status === 403)).toBe(true);
    expect(mine.filter((e) => e.upgrade)).toHaveLength(2);
    expect(mine.filter((e) => e.method === 'POST').length).toBeGreaterThanOrEqual(2 * 8);

    // Nothing was created, nothing ran, the box was not stopped, the exec is still waiting for its stdin.
    await new Promise((r) => setTimeout(r, 300));
    expect((await s.t.runtime.listBoxes()).map((b) => b.id).sort()).toEqual(boxesBefore);
    expect(fs.existsSync(path.join(work, 'ran'))).toBe(false);
    expect(fs.existsSync(path.join(work, 'ws-ran'))).toBe(false);
    expect((await (await s.t.runtime.getBox(box)).info()).status).toBe('running');
    const status = await request(`${s.origin}/v1/boxes/${box}/executions/${execId}`);
    expect(status.json.status).toBe('running');
  });

  it('control: the same command sent by a non-browser client (no Origin) does run, so the marker check can fail', async () => {
    const marker = path.join(work, 'control');
    const ex = await request(`${s.origin}/v1/boxes/${box}/exec`, { method: 'POST', body: JSON.stringify({ command: 'sh', args: ['-c', `touch ${marker}`] }) });
    expect(ex.status).toBe(201);
    await until(() => fs.existsSync(marker), 5000, 'the control marker');
  });

  it('DNS rebinding: a request naming a foreign Host (what a rebound page sends) is 421, reads nothing', async () => {
    const port = new URL(s.origin).port;
    const a = await request(`${s.origin}/v1/boxes`, { headers: { Host: `rebind.attacker.example:${port}` } });
    expectEnvelope(a, 421, 'invalid_argument');
    expect(a.text).not.toContain(box);
  });
});
