// What an operator runs (issue 18), against a real `serve` child: the
// request log on stderr (json and the readable default), startup and
// shutdown lines, never a token; Prometheus text on --metrics-port parsed
// with a real Prometheus text parser; /healthz and /readyz; and bad
// operator input answered with one clear line and exit 1.
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, type RunningCli, startCli, stopCli } from './cli-support';
import { attach, attachUrl, postJson, request, until } from './http-support';

interface PromMetric {
  name: string;
  help: string;
  type: string;
  metrics: { labels?: Record<string, string>; value?: string; buckets?: Record<string, string>; count?: string; sum?: string }[];
}

const running: RunningCli[] = [];
afterEach(async () => {
  while (running.length > 0) {
    const r = running.pop()!;
    if (r.child.exitCode === null) await stopCli(r);
  }
});

async function start(args: string[], env: Record<string, string | undefined> = { BOXLITE_API_KEY: undefined }): Promise<RunningCli> {
  const r = await startCli(['--engine', 'test', ...args], env);
  running.push(r);
  return r;
}

async function metricsUrl(r: RunningCli): Promise<string> {
  await until(() => /metrics: (http:\S+)/.test(r.stdout()), 5000, 'the metrics line');
  return /metrics: (http:\S+)/.exec(r.stdout())![1];
}

async function scrape(url: string): Promise<{ families: Map<string, PromMetric>; text: string }> {
  const a = await request(url);
  expect(a.status).toBe(200);
  expect(a.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  const parsed = parsePrometheusTextFormat(a.text) as PromMetric[]; // throws on a line that is not valid exposition format
  return { families: new Map(parsed.map((m) => [m.name, m])), text: a.text };
}

/**
 * One series of a histogram family (the lines carrying every one of
 * `labels`), as the parser reads it. The parser reads `_sum`/`_count` only
 * without labels, and folds a family's series into one: the series' lines are
 * handed to it alone, with the labels that select them taken out.
 */
function histogramSeries(text: string, name: string, labels: Record<string, string>): PromMetric['metrics'][number] {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const lines = text.split('\n').filter((l) => l.startsWith(`# HELP ${name} `) || l.startsWith(`# TYPE ${name} `)
    || (l.startsWith(`${name}_`) && pairs.every((p) => l.includes(p))))
    .map((l) => pairs.reduce((line, p) => line.replace(p, ''), l).replace(/,+(?=[,}])|\{,+/g, (m) => (m.startsWith('{') ? '{' : '')).replace('{}', ''));
  const [family] = parsePrometheusTextFormat(`${lines.join('\n')}\n`) as PromMetric[];
  expect(family?.metrics, `${name} ${JSON.stringify(labels)}`).toHaveLength(1);
  return family.metrics[0];
}

function jsonLines(stderr: string): Record<string, unknown>[] {
  return stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('serve --log json --metrics-port', () => {
  it('logs one JSON line per request with the fields an operator filters on, and no token', async () => {
    const token = 'tok-3f9a1c55e0d2-secret';
    const r = await start(['--log', 'json'], { BOXLITE_API_KEY: token });
    const auth = { Authorization: `Bearer ${token}` };
    const created = await postJson(`${r.origin}/v1/boxes`, { image: 'alpine:latest' }, auth);
    expect(created.status).toBe(201);
    const wrong = await request(`${r.origin}/v1/boxes`, { headers: { Authorization: 'Bearer not-the-token-77' } });
    expect(wrong.status).toBe(401);
    const missing = await request(`${r.origin}/v1/boxes/nope`, { headers: auth });
    expect(missing.status).toBe(404);
    const cross = await request(`${r.origin}/v1/boxes`, { headers: { ...auth, Origin: 'http://evil.example' } });
    expect(cross.status).toBe(403);
    await until(() => jsonLines(r.stderr()).filter((l) => l.msg === 'request').length >= 4, 5000, 'four request lines');
    expect(await stopCli(r)).toBe(0);

    // Every stderr line is JSON: warnings and refusal reports too.
    const raw = r.stderr().split('\n').filter((l) => l !== '');
    for (const l of raw) expect(() => JSON.parse(l), l).not.toThrow();
    const lines = jsonLines(r.stderr());
    expect(lines.some((l) => l.level === 'warn' && /--engine test/.test(l.msg as string))).toBe(true);
    expect(lines.some((l) => l.level === 'warn' && /^refused GET \(request /.test(l.msg as string))).toBe(true);
    const startup = lines.find((l) => l.msg === 'startup')!;
    expect(startup).toMatchObject({ level: 'info', engine: 'test', auth: 'bearer token (BOXLITE_API_KEY)' });
    expect(startup.url).toBe(`${r.origin}/v1/`);
    expect(lines.at(-1)).toMatchObject({ msg: 'shutdown', level: 'info', exit_code: 0 });
    const requests = lines.filter((l) => l.msg === 'request');
    for (const l of requests) {
      expect(Object.keys(l)).toEqual(['time', 'level', 'msg', 'request_id', 'method', 'route', 'status', 'duration_ms', 'error_code']);
      expect(Number.isNaN(Date.parse(l.time as string))).toBe(false);
      expect(typeof l.duration_ms).toBe('number');
    }
    const byId = (a: { headers: http.IncomingHttpHeaders }) => requests.find((l) => l.request_id === a.headers['x-request-id']);
    expect(byId(created)).toMatchObject({ level: 'info', method: 'POST', route: '/v1/{prefix}/boxes', status: 201, error_code: null });
    expect(byId(wrong)).toMatchObject({ level: 'warn', method: 'GET', route: '/v1/{prefix}/boxes', status: 401, error_code: 'unauthenticated' });
    expect(byId(missing)).toMatchObject({ level: 'warn', route: '/v1/{prefix}/boxes/{box_id}', status: 404, error_code: 'not_found' });
    const all = r.stdout() + r.stderr();
    expect(all).not.toContain(token);
    expect(all).not.toContain('not-the-token-77');
    expect(all.toLowerCase()).not.toContain('authorization');
  });

  it('serves Prometheus text a real parser reads: request histogram, gauges, rejections by limit, spill, process metrics', async () => {
    const r = await start(['--log', 'json', '--metrics-port', '0', '--limit', 'maxExecutions=1']);
    const url = await metricsUrl(r);
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const created = await postJson(`${r.origin}/v1/tenant-x/boxes`, { image: 'alpine:latest' });
    const boxId = created.json.box_id as string;
    const exec = await postJson(`${r.origin}/v1/tenant-x/boxes/${boxId}/exec`, { command: 'sleep', args: ['30'] });
    expect(exec.status).toBe(201);
    expect((await postJson(`${r.origin}/v1/tenant-x/boxes/${boxId}/exec`, { command: 'true' })).status).toBe(429);
    expect((await request(`${r.origin}/v1/boxes/nope`)).status).toBe(404);
    expect((await request(`${r.origin}/v1/boxes`, { method: 'PROPFIND' })).status).toBe(405);
    await until(() => jsonLines(r.stderr()).filter((l) => l.msg === 'request').length >= 5, 5000, 'five request lines');

    const { families: m, text } = await scrape(url);
    const duration = m.get('http_server_request_duration_seconds')!;
    expect(duration.type).toBe('HISTOGRAM');
    // This parser folds a family's histogram series into one; each series is read on its own.
    const series = (labels: Record<string, string>) => histogramSeries(text, 'http_server_request_duration_seconds', labels);
    const created201 = series({ method: 'POST', route: '/v1/{prefix}/boxes', status: '201' });
    expect(created201.count).toBe('1');
    expect(Number(created201.sum)).toBeGreaterThan(0);
    expect(Number(created201.sum)).toBeLessThan(10); // seconds
    expect(created201.buckets!['+Inf']).toBe('1');
    expect(series({ method: 'POST', route: '/v1/{prefix}/boxes/{box_id}/exec', status: '201' }).count).toBe('1');
    expect(series({ method: 'POST', route: '/v1/{prefix}/boxes/{box_id}/exec', status: '429' }).count).toBe('1');
    expect(series({ method: 'GET', route: '/v1/{prefix}/boxes/{box_id}', status: '404' }).count).toBe('1');
    // Methods outside the standard set share one label value: clients cannot grow the series count.
    expect(series({ method: '_OTHER', route: '/v1/{prefix}/boxes', status: '405' }).count).toBe('1');
    expect(text).not.toContain('method="PROPFIND"');
    const histogramText = text.split('\n').filter((l) => l.startsWith('http_server_request_duration_seconds')).join('\n');
    expect(histogramText).not.toContain(boxId);
    expect(histogramText).not.toContain('tenant-x');

    const gauge = (name: string) => {
      const g = m.get(name);
      expect(g, name).toBeDefined();
      return Number(g!.metrics[0].value);
    };
    expect(gauge('boxlite_executions_running')).toBe(1);
    expect(gauge('boxlite_boxes')).toBe(1);
    expect(gauge('boxlite_attach_sockets')).toBe(0);
    expect(gauge('boxlite_file_transfers')).toBe(0);
    expect(gauge('boxlite_output_spilled_bytes_total')).toBe(0);
    expect(m.get('boxlite_output_spilled_bytes_total')!.type).toBe('COUNTER');
    const rejections = m.get('boxlite_limit_rejections_total')!;
    expect(rejections.type).toBe('COUNTER');
    const byLimit = Object.fromEntries(rejections.metrics.map((s) => [s.labels!.limit, Number(s.value)]));
    expect(byLimit).toEqual({ maxExecutions: 1, maxExecutionsPerBox: 0, maxBoxes: 0, maxAttachSockets: 0, maxFileTransfers: 0 });
    // Node's process metrics (prom-client's defaults).
    expect(gauge('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(m.get('nodejs_eventloop_lag_seconds')).toBeDefined();
    expect(m.get('nodejs_heap_size_used_bytes')).toBeDefined();

    // The metrics listener serves nothing else, and the API port serves no metrics.
    expect((await request(url.replace('/metrics', '/v1/boxes'))).status).toBe(404);
    expect((await request(url, { method: 'POST' })).status).toBe(405);
    expect((await request(`${r.origin}/metrics`)).status).toBe(404);
  });

  it('output nobody reads spills to disk: the spilled-bytes counter grows, and an "output spilled" line follows its completion', async () => {
    const r = await start(['--log', 'json', '--metrics-port', '0', '--max-buffered-output', '64K', '--limit', 'maxBufferedOutputBytes=65536']);
    const url = await metricsUrl(r);
    const created = await postJson(`${r.origin}/v1/boxes`, { image: 'alpine:latest' });
    const boxId = created.json.box_id as string;
    const execId = (await postJson(`${r.origin}/v1/boxes/${boxId}/exec`, { command: 'sh', args: ['-c', 'head -c 2097152 /dev/zero'] })).json.execution_id as string;
    const spilled = async () => Number((await scrape(url)).families.get('boxlite_output_spilled_bytes_total')!.metrics[0].value);
    await until(async () => (await spilled()) > 1024 * 1024, 10_000, 'spilled bytes past 1 MiB');
    // Reading the output (attach) completes the execution: the spill is reported once, with its size.
    const at = await attach(attachUrl(r.origin, boxId, execId));
    await at.closed;
    await until(() => jsonLines(r.stderr()).some((l) => l.msg === 'output spilled'), 10_000, 'the spill line');
    const line = jsonLines(r.stderr()).find((l) => l.msg === 'output spilled')!;
    expect(line).toMatchObject({ level: 'info', box_id: boxId, execution_id: execId });
    expect(line.spilled_bytes).toBe(await spilled());
  });

  it('the readable default: one line per request with the same fields', async () => {
    const r = await start([]);
    const a = await request(`${r.origin}/v1/boxes/nope`);
    expect(a.status).toBe(404);
    const id = a.headers['x-request-id'] as string;
    await until(() => r.stderr().includes(id), 5000, 'the request line');
    const line = r.stderr().split('\n').find((l) => l.includes(id))!;
    expect(line).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z warn  request request_id=${id} method=GET route=/v1/\\{prefix\\}/boxes/\\{box_id\\} status=404 duration_ms=[\\d.]+ error_code=not_found$`));
    expect(r.stderr()).toMatch(/ info  startup url=http:\/\/127\.0\.0\.1:\d+\/v1\/ engine=test/);
  });

  it('--log none writes no request line', async () => {
    const r = await start(['--log', 'none']);
    const a = await request(`${r.origin}/v1/config`);
    expect(a.status).toBe(200);
    expect(await stopCli(r)).toBe(0);
    expect(r.stderr()).not.toContain(a.headers['x-request-id'] as string);
    expect(r.stderr()).not.toMatch(/startup|shutdown/);
  });
});

describe('/healthz and /readyz', () => {
  it('answer 200 without credentials, outside /v1, with nothing but the status; only GET/HEAD', async () => {
    const r = await start(['--log', 'json'], { BOXLITE_API_KEY: 'health-check-token' });
    const health = await request(`${r.origin}/healthz`);
    expect(health.status).toBe(200);
    expect(health.text).toBe('ok\n');
    expect(health.headers['cache-control']).toBe('no-store');
    const ready = await request(`${r.origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.text).toBe('ready\n');
    expect((await request(`${r.origin}/readyz`, { method: 'HEAD' })).status).toBe(200);
    // Nothing can be done through them; a page on another origin gets no CORS grant to read them.
    const post = await request(`${r.origin}/healthz`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const cross = await request(`${r.origin}/readyz`, { headers: { Origin: 'http://evil.example' } });
    expect(cross.status).toBe(200);
    expect(cross.headers['access-control-allow-origin']).toBeUndefined();
    // /v1 still wants the token.
    expect((await request(`${r.origin}/v1/boxes`)).status).toBe(401);
  });
});

describe('bad operator input: one clear line, exit 1', () => {
  function run(args: string[]) {
    return spawnSync(process.execPath, [CLI, 'serve', '--engine', 'test', '--port', '0', ...args],
      { encoding: 'utf8', timeout: 20_000, env: { ...process.env, BOXLITE_API_KEY: '' } });
  }

  it('an unknown --log value', () => {
    const r = run(['--log', 'xml']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['boxlite-native: --log must be one of text, json, none, got "xml"']);
  });

  it('a --metrics-port that is not a port, and --metrics-host alone', () => {
    const r = run(['--metrics-port', '99999']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['boxlite-native: --metrics-port must be 0..65535, got "99999"']);
    const h = run(['--metrics-host', '0.0.0.0']);
    expect(h.status).toBe(1);
    expect(h.stderr).toContain('--metrics-host needs --metrics-port');
  });

  it('a metrics port already taken', async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const r = run(['--log', 'json', '--metrics-port', String(port)]);
      expect(r.status).toBe(1);
      // Reported before anything else is opened: the only line.
      expect(r.stderr.trim().split('\n')).toEqual([`boxlite-native: cannot serve metrics on 127.0.0.1:${port}: the address is already in use`]);
      expect(r.stdout).not.toContain('serving');
    } finally {
      taken.close();
    }
  });
});
