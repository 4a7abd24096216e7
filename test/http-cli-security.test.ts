// `boxlite-native serve` under the request guards, as a real process: the
// official client and plain curl keep working unchanged, the attacks of
// issue 8 are refused, the --allowed-hosts/--allowed-origins flags work, and
// a flood of refused or malformed requests writes a bounded number of stderr
// lines.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type RunningCli, startCli, stopCli } from './cli-support';
import { attach, expectEnvelope, request, until } from './http-support';

const HAS_CURL = spawnSync('curl', ['--version'], { encoding: 'utf8' }).status === 0;
if (!HAS_CURL) console.log('http-cli-security: curl not found on PATH; the curl test is skipped');

function curl(args: string[]): { status: number; body: string } {
  const r = spawnSync('curl', ['-sS', '--max-time', '20', '-w', '\n%{http_code}', ...args], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`curl failed (${r.status}): ${r.stderr}`);
  const cut = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(cut + 1)), body: r.stdout.slice(0, cut) };
}

function raw(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => { sock.destroy(); resolve(got); }, 3000);
    sock.on('data', (c) => { got += c; });
    sock.on('close', () => { clearTimeout(timer); resolve(got); });
    sock.on('error', reject);
    sock.write(data);
  });
}

describe('boxlite-native serve (no authentication, loopback): guarded', () => {
  let r: RunningCli;
  let work: string;
  beforeAll(async () => {
    r = await startCli(['--engine', 'test'], { BOXLITE_API_KEY: undefined });
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-sec-'));
  });
  afterAll(async () => {
    if (r) await stopCli(r);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('the official client works unchanged: create, exec, copyIn/copyOut, stop/start (body-less POSTs)', async () => {
    const sdk = await import('@boxlite-ai/boxlite');
    const rt = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url: r.origin }));
    const box = await rt.create({ image: 'alpine:latest' });
    const ex = await box.exec('sh', ['-c', 'echo official; exit 3'], null, false, null, null, null);
    expect(await (await ex.stdout()).next()).toBe('official\n');
    expect((await ex.wait()).exitCode).toBe(3);
    fs.writeFileSync(path.join(work, 'in.txt'), 'copied');
    await box.copyIn(path.join(work, 'in.txt'), '/data/in.txt');
    await box.copyOut('/data/in.txt', path.join(work, 'out'));
    expect(fs.readFileSync(fs.statSync(path.join(work, 'out')).isDirectory() ? path.join(work, 'out', 'in.txt') : path.join(work, 'out'), 'utf8')).toBe('copied');
    await box.stop();
    await box.start();
    expect((await rt.getInfo(box.id))!.state.status).toBe('running');
  });

  it.skipIf(!HAS_CURL)('plain curl works: JSON with -H, uploads with -T (Expect: 100-continue), downloads, body-less POSTs', () => {
    const json = ['-H', 'Content-Type: application/json'];
    const created = curl([...json, '-d', '{"image":"alpine:latest"}', `${r.origin}/v1/boxes`]);
    expect(created.status).toBe(201);
    const box = JSON.parse(created.body).box_id as string;
    const ex = curl([...json, '-d', '{"command":"echo","args":["hi"]}', `${r.origin}/v1/boxes/${box}/exec`]);
    expect(ex.status).toBe(201);
    expect(curl(['-X', 'POST', `${r.origin}/v1/boxes/${box}/stop`]).status).toBe(200);
    expect(curl(['-X', 'POST', `${r.origin}/v1/boxes/${box}/start`]).status).toBe(200);
    // curl -T sends no Content-Type and Expect: 100-continue.
    fs.writeFileSync(path.join(work, 'up.txt'), 'via curl');
    const tarFile = path.join(work, 'up.tar');
    expect(spawnSync('tar', ['-cf', tarFile, '-C', work, 'up.txt']).status).toBe(0);
    expect(curl(['-T', tarFile, `${r.origin}/v1/boxes/${box}/files?path=/tmp/up`]).status).toBe(204);
    expect(curl(['-T', tarFile, '-H', 'Content-Type: application/x-tar', `${r.origin}/v1/boxes/${box}/files?path=/tmp/up2`]).status).toBe(204);
    const down = path.join(work, 'down.tar');
    expect(curl(['-o', down, `${r.origin}/v1/boxes/${box}/files?path=/tmp/up`]).status).toBe(200);
    expect(spawnSync('tar', ['-tf', down], { encoding: 'utf8' }).stdout).toMatch(/up/);
    // What changed: curl's default form type is refused, with a hint; so is a page's Origin.
    const form = curl(['-d', '{"image":"alpine:latest"}', `${r.origin}/v1/boxes`]);
    expect(form.status).toBe(415);
    expect(JSON.parse(form.body).error.message).toMatch(/application\/json/);
    expect(curl([...json, '-H', 'Origin: http://evil.example', '-d', '{}', `${r.origin}/v1/boxes`]).status).toBe(403);
  });

  it('the attacks of issue 8 are refused: text/plain CSRF, foreign Host, cross-origin WebSocket, /v1/../boxes', async () => {
    const a = await request(`${r.origin}/v1/boxes`, {
      method: 'POST', body: '{"name":"csrf-demo"}',
      headers: { 'Content-Type': 'text/plain', Origin: 'http://evil.example', 'Sec-Fetch-Site': 'cross-site' },
    });
    expectEnvelope(a, 403, 'permission_denied');
    expectEnvelope(await request(`${r.origin}/v1/boxes`, { method: 'POST', body: '{"name":"csrf-demo"}', headers: { 'Content-Type': 'text/plain' } }),
      415, 'invalid_argument');
    expectEnvelope(await request(`${r.origin}/v1/boxes`, { headers: { Host: `attacker.example:${r.port}` } }), 421, 'invalid_argument');
    const ex = await request(`${r.origin}/v1/boxes`, { method: 'POST', body: '{"image":"alpine:latest","name":"ws-box"}' });
    expect(ex.status).toBe(201);
    const exec = await request(`${r.origin}/v1/boxes/ws-box/exec`, { method: 'POST', body: '{"command":"echo","args":["x"]}' });
    const url = `ws://127.0.0.1:${r.port}/v1/boxes/ws-box/executions/${exec.json.execution_id}/attach`;
    await expect(attach(url, { Origin: 'http://evil.example' })).rejects.toMatchObject({ status: 403 });
    const dots = await raw(r.port, `GET /v1/../boxes HTTP/1.1\r\nHost: 127.0.0.1:${r.port}\r\nConnection: close\r\n\r\n`);
    expect(dots).toMatch(/^HTTP\/1\.1 400 /);
    const noHost = await raw(r.port, 'GET /v1/config HTTP/1.1\r\nConnection: close\r\n\r\n');
    expect(noHost).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(noHost.slice(noHost.indexOf('\r\n\r\n') + 4)).error.message).toMatch(/missing Host/);
    const list = await request(`${r.origin}/v1/boxes`);
    expect(list.json.boxes.map((b: { name?: string }) => b.name)).not.toContain('csrf-demo');
  });
});

describe('boxlite-native serve: flags and log flood', () => {
  it('--allowed-hosts and --allowed-origins', async () => {
    const r = await startCli(['--engine', 'test', '--allowed-hosts', 'box.test,.corp.test', '--allowed-origins', 'http://ui.test:3000'],
      { BOXLITE_API_KEY: undefined });
    try {
      expect((await request(`${r.origin}/v1/boxes`, { headers: { Host: 'box.test' } })).status).toBe(200);
      expect((await request(`${r.origin}/v1/boxes`, { headers: { Host: 'a.corp.test:1' } })).status).toBe(200);
      expectEnvelope(await request(`${r.origin}/v1/boxes`, { headers: { Host: 'other.test' } }), 421, 'invalid_argument');
      const ui = await request(`${r.origin}/v1/boxes`, { headers: { Origin: 'http://ui.test:3000' } });
      expect(ui.status).toBe(200);
      expect(ui.headers['access-control-allow-origin']).toBe('http://ui.test:3000');
      expectEnvelope(await request(`${r.origin}/v1/boxes`, { headers: { Origin: 'http://ui.test:3001' } }), 403, 'permission_denied');
    } finally {
      expect(await stopCli(r)).toBe(0);
    }
    const bad = spawnSync(process.execPath, [CLI, 'serve', '--engine', 'test', '--port', '0', '--allowed-origins', '*'],
      { encoding: 'utf8', timeout: 20_000, env: { ...process.env, BOXLITE_API_KEY: '' } });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/allowedOrigins/);
  });

  it('300 refused and 300 malformed requests write at most 5 lines per kind per 10 s window, the rest counted in summaries', async () => {
    // --log none: the access log writes one line per request by design (an
    // operator's choice); what is bounded here are the refusal reports.
    const r = await startCli(['--engine', 'test', '--log', 'none'], { BOXLITE_API_KEY: undefined });
    let stderrBefore = '';
    const procDir = `/proc/${r.child.pid}`;
    const fds = () => fs.readdirSync(`${procDir}/fd`).length;
    const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`${procDir}/status`, 'utf8'))?.[1]);
    const hasProc = fs.existsSync(`${procDir}/fd`);
    try {
      stderrBefore = r.stderr();
      const fdsBefore = hasProc ? fds() : 0;
      const rssBefore = hasProc ? rssKiB() : 0;
      for (let i = 0; i < 300; i += 10) {
        await Promise.all(Array.from({ length: 10 }, () => request(`${r.origin}/v1/boxes`, { headers: { Origin: 'http://evil.example' } })));
        await Promise.all(Array.from({ length: 10 }, () => raw(r.port, 'BAD\r\n\r\n')));
      }
      if (hasProc) {
        // Every refused connection is closed: the server holds no more descriptors than before.
        await until(() => fds() <= fdsBefore, 5000, 'descriptors back to the baseline');
        console.log(`http-cli-security: flood of 600 refused/malformed requests: fds ${fdsBefore} -> ${fds()}, `
          + `RSS ${Math.round(rssBefore / 1024)} -> ${Math.round(rssKiB() / 1024)} MiB`);
      }
    } finally {
      expect(await stopCli(r)).toBe(0);
    }
    const lines = r.stderr().slice(stderrBefore.length).split('\n').filter((l) => l !== '');
    // Per kind: what was written plus what the summaries counted is every
    // event; at most 5 lines per 10 s window (normally a single window, but
    // a slow machine may cross into the next one: only the last window can
    // end without a summary).
    for (const [pattern, category] of [[/refused GET/, 'refused-403'], [/malformed request from/, 'malformed-request']] as const) {
      const written = lines.filter((l) => pattern.test(l)).length;
      const summaries = lines.map((l) => new RegExp(`^\\[boxlite-native\\] (\\d+) more ${category} event\\(s\\) in the last 10 s were not logged \\(rate limit\\)$`).exec(l))
        .filter((m) => m !== null).map((m) => Number(m![1]));
      expect(summaries.length).toBeGreaterThanOrEqual(1);
      expect(written + summaries.reduce((a, b) => a + b, 0)).toBe(300);
      expect(written).toBeLessThanOrEqual(5 * (summaries.length + 1));
    }
    expect(lines.length).toBeLessThan(40);
  });
});
