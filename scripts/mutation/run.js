#!/usr/bin/env node
// `npm run test:mutation`: StrykerJS over the files that decide a status
// code, an error class or an authorization (stryker.config.mjs), then a
// correction of its vitest runner's miscount, a per-file table and the
// `thresholds.break` gate applied to the corrected scores.
//
// The miscount: Stryker's vitest runner collects results per test. When a
// mutant makes a test module fail to load (it throws while the module graph
// is imported, e.g. a mutated table built at load time), vitest reports a
// failed *file* with no tests in it, and the runner reads "no test failed" as
// Survived. So every Survived mutant is re-run here, outside Stryker: the
// mutant's text is served in place of its file by a Vite load hook
// (scripts/mutation/vitest.rerun.config.ts; the worktree is never written),
// with the project's own pool (forks), against the test files that covered
// it. A mutant whose re-run fails is reclassified Killed, with the reason
// (a test file failed to load / a test failed); one that passes stays
// Survived.
//
// Timeouts count as detected, as in Stryker, but only when they are real:
// Stryker's limit (net time x 1.5 + timeoutMS) is easily exceeded on a
// loaded machine by a mutant that merely runs every test. So Timeout mutants
// are re-run the same way, with a generous limit: one whose suites pass
// becomes Survived.
//
// Usage:
//   node scripts/mutation/run.js [stryker args...]       one Stryker pass per group, then correct
//   node scripts/mutation/run.js --group http [...]      one group only
//   node scripts/mutation/run.js --report FILE [...]     correct existing JSON report(s) only
// Options: --jobs N (parallel re-runs, default 2), --no-break (report, never
// fail), --out FILE (the corrected report; default
// reports/mutation/mutation.corrected.json), --summary FILE (per-file scores
// and pass/fail for CI; default reports/mutation/summary.json). Other arguments go to Stryker (e.g. --force to ignore the
// incremental results of earlier passes).
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const REPORT_DIR = path.join(ROOT, 'reports', 'mutation');
const CORRECTED_REPORT = path.join(REPORT_DIR, 'mutation.corrected.json');
const SUMMARY = path.join(REPORT_DIR, 'summary.json');
const RERUN_CONFIG = path.join(__dirname, 'vitest.rerun.config.ts');
const VITEST = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const STRYKER = path.join(ROOT, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
/** A re-run that has not finished by then is a timeout (an endless loop at load time, say). */
const RERUN_TIMEOUT_MS = 120_000;

function parseArgs(argv) {
  const opts = { reports: [], groups: [], jobs: 2, enforce: true, out: CORRECTED_REPORT, summary: SUMMARY, strykerArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--report') opts.reports.push(path.resolve(argv[++i]));
    else if (a === '--group') opts.groups.push(argv[++i]);
    else if (a === '--out') opts.out = path.resolve(argv[++i]);
    else if (a === '--summary') opts.summary = path.resolve(argv[++i]);
    else if (a === '--jobs') opts.jobs = Math.max(1, Number(argv[++i]) || 1);
    else if (a === '--no-break') opts.enforce = false;
    else opts.strykerArgs.push(a);
  }
  return opts;
}

/** The report(s) merged into one: files by path, test files by path. */
function loadReports(files) {
  const merged = { schemaVersion: '1', thresholds: {}, files: {}, testFiles: {} };
  for (const file of files) {
    const r = JSON.parse(fs.readFileSync(file, 'utf8'));
    merged.schemaVersion = r.schemaVersion;
    merged.thresholds = r.thresholds;
    Object.assign(merged.files, r.files);
    for (const [name, tf] of Object.entries(r.testFiles ?? {})) {
      const known = merged.testFiles[name];
      merged.testFiles[name] = known ? { ...tf, tests: [...known.tests, ...tf.tests] } : tf;
    }
  }
  return merged;
}

/** Replace the mutant's range (1-based lines and columns) in `source`. */
function applyMutant(source, mutant) {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') lineStarts.push(i + 1);
  const offset = ({ line, column }) => lineStarts[line - 1] + column - 1;
  const start = offset(mutant.location.start);
  const end = offset(mutant.location.end);
  return source.slice(0, start) + mutant.replacement + source.slice(end);
}

function testFileIndex(report) {
  const byId = new Map();
  for (const [file, tf] of Object.entries(report.testFiles ?? {})) {
    for (const test of tf.tests ?? []) byId.set(test.id, file);
  }
  return byId;
}

/** Process groups of the re-runs in flight: killed with us (CI's timeout sends SIGTERM). */
const liveGroups = new Set();
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
  process.on(sig, () => {
    for (const pid of liveGroups) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
    process.exit(128 + os.constants.signals[sig]);
  });
}

/** Runs the suites against one mutant. Resolves {detected, reason}. */
let reruns = 0;
function rerun(group, fileName, mutant, mutatedText, testFiles, scratch) {
  // Numbered, not named by mutant.id: ids of mutants reused by an incremental
  // run are "file@line:col-line:col\nMutator: replacement" (slashes, newlines).
  const n = ++reruns;
  const sourceFile = path.join(scratch, `mutant-${n}${path.extname(fileName)}`);
  const resultFile = path.join(scratch, `result-${n}.json`);
  fs.writeFileSync(sourceFile, mutatedText);
  const args = [VITEST, 'run', '--config', RERUN_CONFIG, '--reporter=json', `--outputFile=${resultFile}`, ...testFiles];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, MUTATION_GROUP: group, MUTANT_TARGET: path.resolve(ROOT, fileName), MUTANT_SOURCE: sourceFile, FORCE_COLOR: '0' },
      stdio: ['ignore', 'ignore', 'pipe'],
      // Its own process group: on a timeout the whole group is killed, the
      // pool's fork workers included (a mutant stuck in a loop keeps its
      // worker spinning after vitest itself is gone).
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (c) => { stderr = (stderr + c).slice(-8192); });
    liveGroups.add(child.pid);
    const killGroup = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } };
    const timer = setTimeout(killGroup, RERUN_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killGroup(); // workers vitest left behind, if any
      liveGroups.delete(child.pid);
      if (signal === 'SIGKILL') { resolve({ detected: true, status: 'Timeout', reason: `re-run timed out after ${RERUN_TIMEOUT_MS / 1000} s` }); return; }
      if (code === 0) { resolve({ detected: false }); return; }
      let r;
      try {
        r = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
      } catch {
        // No results: vitest itself failed (config, resources), which says
        // nothing about the mutant. Inconclusive: the caller retries, then
        // leaves the mutant as it was.
        const tail = stderr.split('\n').filter((l) => l.trim() && !/configLoader|ESM syntax|VITE_CONFIG/.test(l)).slice(-3).join(' ');
        resolve({ detected: false, inconclusive: true, reason: `vitest exited ${code} without results: ${tail.slice(0, 300)}` });
        return;
      }
      // A file that failed with no test collected at all failed to load.
      const broken = r.testResults.find((f) => f.status === 'failed' && f.assertionResults.length === 0);
      const failedTest = r.testResults.flatMap((f) => f.assertionResults.map((t) => ({ f, t }))).find(({ t }) => t.status === 'failed');
      let reason;
      const culprit = path.relative(ROOT, (broken ?? failedTest?.f)?.name ?? '');
      if (broken) reason = `test file failed to load: ${path.relative(ROOT, broken.name)}: ${String(broken.message).split('\n')[0].slice(0, 200)}`;
      else if (failedTest) reason = `test failed: ${path.relative(ROOT, failedTest.f.name)} > ${failedTest.t.fullName}`;
      else {
        // Only an error outside any test (a worker that failed to start on a
        // loaded machine, say): that says nothing about the mutant.
        resolve({ detected: false, inconclusive: true, reason: `vitest exited ${code} with an error outside the tests` });
        return;
      }
      resolve({ detected: true, status: 'Killed', reason, culprit });
    });
  });
}

/**
 * The settled statuses, written into the incremental file the same Stryker
 * pass wrote (its mutant ids are the report's), so the next pass reuses them.
 */
function writeBack(incrementalFile, report) {
  if (!fs.existsSync(incrementalFile)) return;
  const inc = JSON.parse(fs.readFileSync(incrementalFile, 'utf8'));
  let n = 0;
  for (const [file, f] of Object.entries(inc.files ?? {})) {
    const corrected = report.files[file];
    if (!corrected) continue;
    const byId = new Map(corrected.mutants.map((m) => [m.id, m]));
    for (const m of f.mutants) {
      const c = byId.get(m.id);
      if (!c?.settled || c.replacement !== m.replacement || c.location.start.line !== m.location.start.line) continue;
      m.status = c.status;
      m.statusReason = c.statusReason;
      if (c.killedBy) m.killedBy = c.killedBy;
      if (c.coveredBy) m.coveredBy = c.coveredBy;
      n++;
    }
  }
  fs.writeFileSync(incrementalFile, JSON.stringify(inc));
  console.log(`mutation: ${n} settled status(es) written into ${path.relative(ROOT, incrementalFile)}`);
}

async function pool(items, jobs, work) {
  let next = 0;
  const runners = Array.from({ length: Math.min(jobs, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  });
  await Promise.all(runners);
}

/**
 * Marks a status this wrapper settled by a re-run. It is written back into
 * the group's incremental file, and Stryker keeps a reused mutant's reason:
 * while the mutant's code and covering tests stay the same, the next pass
 * reuses the corrected status and nothing is re-run again. (A mutant Stryker
 * re-tests gets a fresh reason, without the mark, and is re-checked.)
 */
const SETTLED = '[settled by a re-run outside Stryker] ';

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

function tally(mutants) {
  const t = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0, errors: 0, ignored: 0, reclassified: 0 };
  for (const m of mutants) {
    if (m.status in t) t[m.status]++;
    else if (m.status === 'Ignored') t.ignored++;
    else t.errors++; // CompileError, RuntimeError: not counted in the score (as Stryker)
    if (m.reclassified) t.reclassified++;
  }
  const detected = t.Killed + t.Timeout;
  const valid = detected + t.Survived + t.NoCoverage;
  t.score = valid === 0 ? 100 : (100 * detected) / valid;
  return t;
}

function printTable(report, breakAt) {
  const rows = Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b)).map(([file, f]) => [file, tally(f.mutants)]);
  rows.push(['All files', tally(Object.values(report.files).flatMap((f) => f.mutants))]);
  const head = ['File', '% score', 'killed', 'timeout', 'survived', 'no cov', 'errors', 'reclassified'];
  const body = rows.map(([file, t]) => [file, t.score.toFixed(2), t.Killed, t.Timeout, t.Survived, t.NoCoverage, t.errors, t.reclassified].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ');
  console.log('\nMutation score per file, corrected (see scripts/mutation/run.js):');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const r of body) console.log(line(r));
  return rows.filter(([file]) => file !== 'All files');
}

/** One line per file for CI (.ci/run counts each file at or above the threshold as a passed check). */
function writeSummary(file, rows, breakAt) {
  const files = rows.map(([name, t]) => ({
    file: name, score: Number(t.score.toFixed(2)), survived: t.Survived, noCoverage: t.NoCoverage, passed: t.score >= breakAt,
  }));
  fs.writeFileSync(file, `${JSON.stringify({ threshold: breakAt, files }, null, 2)}\n`);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { default: config, GROUPS, incrementalFileOf } = await import(path.join(ROOT, 'stryker.config.mjs'));
  const ranGroups = [];
  const breakAt = config.thresholds?.break ?? 0;
  const groupOf = new Map(Object.entries(GROUPS).flatMap(([name, g]) => g.mutate.map((file) => [file, name])));

  if (opts.reports.length === 0) {
    const groups = opts.groups.length > 0 ? opts.groups : Object.keys(GROUPS);
    for (const group of groups) {
      if (!GROUPS[group]) throw new Error(`no mutation group ${group} (${Object.keys(GROUPS).join(', ')})`);
      const report = path.join(REPORT_DIR, `${group}.json`);
      fs.rmSync(report, { force: true });
      console.log(`\nmutation: group ${group}: ${GROUPS[group].mutate.join(', ')}`);
      // Stryker's own exit status reflects the uncorrected score: the gate is applied below.
      const r = spawnSync(process.execPath, [STRYKER, 'run', ...opts.strykerArgs], {
        cwd: ROOT, stdio: 'inherit', env: { ...process.env, MUTATION_GROUP: group },
      });
      if (r.error || !fs.existsSync(report)) {
        console.error(`mutation: Stryker produced no report for group ${group} (exit ${r.status})`);
        process.exit(2);
      }
      opts.reports.push(report);
      ranGroups.push(group);
    }
  }

  const report = loadReports(opts.reports);
  const testFileOf = testFileIndex(report);
  const testsOfFile = new Map();
  for (const [id, file] of testFileOf) testsOfFile.set(file, [...(testsOfFile.get(file) ?? []), id]);
  // With `--mutate a.ts,b.ts` only those files were tested now: the others'
  // results come from the incremental report and are not re-run.
  const mutateArg = opts.strykerArgs.findIndex((a) => a === '--mutate' || a.startsWith('--mutate='));
  const only = mutateArg < 0 ? null
    : new Set((opts.strykerArgs[mutateArg].includes('=') ? opts.strykerArgs[mutateArg].split('=')[1] : opts.strykerArgs[mutateArg + 1]).split(','));
  const survivors = [];
  for (const [file, f] of Object.entries(report.files)) {
    if (only !== null && !only.has(file)) continue;
    for (const m of f.mutants) {
      if ((m.status === 'Survived' || m.status === 'Timeout') && !String(m.statusReason ?? '').startsWith(SETTLED)) survivors.push({ file, f, m });
    }
  }
  console.log(`\nmutation: re-running ${survivors.length} survived or timed-out mutant(s) outside Stryker (${opts.jobs} at a time)...`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-mutants-'));
  try {
    await pool(survivors, opts.jobs, async ({ file, f, m }) => {
      const files = [...new Set((m.coveredBy ?? []).map((id) => testFileOf.get(id)).filter(Boolean))];
      const run = () => rerun(groupOf.get(file) ?? 'core', file, m, applyMutant(f.source, m), files, scratch);
      let result = await run();
      if (result.inconclusive) result = await run();
      if (result.inconclusive) {
        console.log(`  ${file}:${m.location.start.line} ${m.mutatorName} #${m.id}: left ${m.status}, re-run inconclusive (${result.reason})`);
        return;
      }
      const was = m.status;
      m.settled = true;
      if (!result.detected && was === 'Timeout') {
        m.status = 'Survived';
        m.statusReason = `${SETTLED}timed out only inside Stryker: the suites pass against it outside`;
        m.reclassified = true;
        console.log(`  ${file}:${m.location.start.line} ${m.mutatorName} #${m.id}: Timeout -> Survived (passes outside Stryker)`);
      } else if (result.detected && was === 'Survived') {
        m.status = result.status;
        m.statusReason = `${SETTLED}${result.reason}`;
        m.reclassified = true;
        // Stryker reuses a Killed result only while one of its killing tests
        // covers it, unchanged. A static mutant (code run at load time) has no
        // per-test coverage: the tests of the file that failed killed it.
        const culprits = (m.coveredBy ?? []).filter((id) => testFileOf.get(id) === result.culprit);
        m.killedBy = culprits.length > 0 ? culprits : testsOfFile.get(result.culprit) ?? [];
        if ((m.coveredBy ?? []).length === 0) m.coveredBy = [...m.killedBy];
        console.log(`  ${file}:${m.location.start.line} ${m.mutatorName} #${m.id}: ${result.status} (${result.reason})`);
      } else {
        m.statusReason = `${SETTLED}${result.detected ? `confirmed: ${result.reason}` : 'the suites pass against it outside Stryker too'}`;
      }
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  for (const group of ranGroups) writeBack(path.join(ROOT, incrementalFileOf(group)), report);
  fs.mkdirSync(path.dirname(opts.out), { recursive: true });
  fs.writeFileSync(opts.out, JSON.stringify(report));

  const remaining = Object.entries(report.files).flatMap(([file, f]) => f.mutants.filter((m) => m.status === 'Survived').map((m) => ({ file, m })));
  if (remaining.length > 0) {
    console.log('\nStill surviving (each needs a test, or a reason in a test file why it is equivalent):');
    for (const { file, m } of remaining) {
      const shown = m.replacement.replace(/\s+/g, ' ').slice(0, 60);
      console.log(`  ${file}:${m.location.start.line}:${m.location.start.column} ${m.mutatorName} -> ${shown}`);
    }
  }
  const rows = printTable(report, breakAt);
  const below = rows.filter(([, t]) => t.score < breakAt);
  writeSummary(opts.summary, rows, breakAt);
  console.log(`\nmutation: corrected report in ${path.relative(ROOT, opts.out)}, per-file summary in ${path.relative(ROOT, opts.summary)}; break threshold ${breakAt}% per file.`);
  if (below.length > 0) {
    console.log(`mutation: FAILED: below ${breakAt}%: ${below.map(([f, t]) => `${f} (${t.score.toFixed(2)}%)`).join(', ')}`);
    if (opts.enforce) process.exit(1);
  } else {
    console.log('mutation: PASSED');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
