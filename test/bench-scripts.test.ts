// The benchmark scripts still run to their verdict. `npm run bench` and
// `npm run bench:load` are how speed claims are made (README "Speed"); nothing
// else runs them, and a change elsewhere can break one silently (a refusal
// message bench/http.js checks changed once). Each runs here on a tiny load:
// the figures mean nothing and are not judged (a missed goal exits 1 on a
// busy machine, which is allowed); what must hold is that the script got to
// its verdict line without an error.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-bench-smoke-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

interface Run { code: number | null; out: string; err: string }

function runScript(script: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, script), ...args], {
      cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms:\n${out}\n${err}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

/** Exit 0 (goals met) or 1 (a goal missed on this machine), the verdict printed, no error thrown. */
function expectVerdict(r: Run, verdict: RegExp): void {
  const context = `stdout:\n${r.out}\nstderr:\n${r.err}`;
  expect([0, 1], context).toContain(r.code);
  expect(r.out, context).toMatch(verdict);
  expect(r.err, context).not.toMatch(/\bError\b|\n\s+at /);
}

describe('npm run bench scripts reach their verdict', () => {
  it('bench/classify.js', async () => {
    expectVerdict(await runScript('bench/classify.js', [], {}, 120_000), /-> goals (met|NOT met)/);
  }, 150_000);

  it('bench/native.js (16 MiB, one round)', async () => {
    const r = await runScript('bench/native.js', [], { BENCH_BYTES: String(16 << 20), BENCH_ROUNDS: '1' }, 120_000);
    expectVerdict(r, /addon \/ child_process = \d+%[\s\S]*native reject \+ await \+ classify\s+[\d.]+ us/);
  }, 150_000);

  it('bench/http.js (one pair of 0.3 s runs)', async () => {
    const r = await runScript('bench/http.js', [], { BENCH_HTTP_ROUNDS: '1', BENCH_HTTP_DURATION: '0.3' }, 120_000);
    expectVerdict(r, /error path: handler \/ bare = [\d.]+% .* -> (met|NOT met)/);
  }, 150_000);

  it('bench/rest-client.js (10 echoes, 4 MiB, one round)', async () => {
    const r = await runScript('bench/rest-client.js', [],
      { BENCH_REST_ECHO: '10', BENCH_REST_STREAM_MIB: '4', BENCH_REST_ROUNDS: '1' }, 120_000);
    expectVerdict(r, /direct addon \(Runtime\.open\)\s+\|\s+[\d.]+/);
  }, 150_000);
});

describe('npm run bench:load reaches its verdict', () => {
  it('bench/load/run.js --quick writes its report', async () => {
    const out = path.join(scratch, 'load');
    const r = await runScript('bench/load/run.js', ['--quick', '--out', out], {}, 240_000);
    expectVerdict(r, /\d+\/\d+ goals met in \d+ s; report: /);
    expect(r.out).not.toMatch(/failed phase:/);
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as
      { goals: unknown[]; references: Array<{ id: string; median: string }> };
    expect(results.goals.length).toBeGreaterThan(0);
    // The references (the REST ceiling, the bare server with the engine lookup) were measured too.
    expect(results.references.map((x) => x.id)).toEqual(['ceiling-vs-addon', 'engine-lookup-404']);
    for (const x of results.references) expect(x.median).toMatch(/^[\d.]+%$/);
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<svg');
  }, 300_000);
});
