#!/usr/bin/env node
// `npm run stress`: every scenario in bench/stress/*.js (helpers live in
// bench/stress/support/, which is not scanned), one after the other, each
// against a fresh `boxlite-native serve --engine test` child. Prints one row
// per scenario: peak RSS of the server, descriptors before/after, bytes
// written/received, statuses seen.
//
//   npm run stress                      full scale (GBs; minutes)
//   STRESS_SCALE=0.125 npm run stress   smaller
//   npm run stress -- reconnect         only scenarios whose file name matches
//   SOAK_SECONDS=60 npm run stress -- soak   the mixed-clients soak for 60 s (default 180 s x scale)
//
// A scenario module exports `name` and `async run({ scale })` resolving to
// { scenario, peakRssMiB, fdsBefore, fdsAfter, bytesWritten, bytesReceived,
//   statuses } (extra fields are printed below the table).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const scale = Number(process.env.STRESS_SCALE || 1);
const filters = process.argv.slice(2);
const dir = path.join(__dirname, 'stress');

const MIB = 1024 * 1024;
const size = (bytes) => (bytes >= 1024 * MIB ? `${(bytes / 1024 / MIB).toFixed(2)} GiB` : `${(bytes / MIB).toFixed(1)} MiB`);

/** A list of outcomes, or a { status: count } tally (the caps scenarios). */
function statusText(statuses) {
  if (Array.isArray(statuses)) return statuses.join(', ');
  if (statuses && typeof statuses === 'object') return Object.entries(statuses).map(([k, v]) => `${k}: ${v}`).join(', ');
  return statuses === undefined ? '' : String(statuses);
}

function table(rows) {
  const header = ['scenario', 'peak RSS', 'RSS growth', 'fds before/after', 'written', 'received', 'statuses'];
  const lines = rows.map((r) => [
    r.scenario,
    `${r.peakRssMiB} MiB`,
    r.rssGrowthMiB === undefined ? '' : `${r.rssGrowthMiB} MiB`,
    `${r.fdsBefore}/${r.fdsAfter}`,
    size(r.bytesWritten || 0),
    size(r.bytesReceived || 0),
    statusText(r.statuses),
  ]);
  const out = [header, ...lines].map((cells) => `| ${cells.join(' | ')} |`);
  out.splice(1, 0, `|${header.map(() => '---').join('|')}|`);
  return out.join('\n');
}

async function main() {
  const files = fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => e.name)
    .filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)))
    .sort();
  const rows = [];
  let failed = false;
  for (const file of files) {
    const scenario = require(path.join(dir, file));
    process.stderr.write(`stress: ${scenario.name} (scale ${scale}) ...\n`);
    const started = Date.now();
    try {
      const row = await scenario.run({ scale });
      rows.push(row);
      process.stderr.write(`stress:   done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (err) {
      failed = true;
      rows.push({ scenario: `${scenario.name} FAILED`, peakRssMiB: '-', fdsBefore: '-', fdsAfter: '-', bytesWritten: 0, bytesReceived: 0, statuses: [String(err && err.message)] });
    }
  }
  process.stdout.write(`${table(rows)}\n\n`);
  for (const r of rows) {
    const extra = Object.entries(r).filter(([k]) => !['scenario', 'peakRssMiB', 'rssGrowthMiB', 'fdsBefore', 'fdsAfter', 'bytesWritten', 'bytesReceived', 'statuses'].includes(k));
    if (extra.length > 0) process.stdout.write(`${r.scenario}: ${extra.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('  ')}\n`);
  }
  if (failed) process.exitCode = 1;
}

main();
