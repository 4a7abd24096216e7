// The page a person looks at: report.html with SVG charts of throughput,
// per-execution p99 and peak RSS against concurrency (median over rounds,
// min..max as whiskers), and tables for the goals, latency, error answers,
// CPU per MiB and the official client. Self-contained: no script, no
// network, opens from disk.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spread } = require('./stats');

const SIDES = [
  { key: 'spawn', label: 'child_process.spawn', color: '#6b7280' },
  { key: 'addon', label: 'direct addon', color: '#2563eb' },
  { key: 'rest', label: 'REST+WebSocket (server)', color: '#dc2626' },
  { key: 'ceiling', label: 'REST ceiling (null server)', color: '#f59e0b' },
];

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** min/median/max of one metric over the rounds that measured it, or null. */
function measured(rounds, level, side, metric) {
  const values = rounds.map((r) => r.stream[level]?.[side]?.[metric]).filter(Number.isFinite);
  return values.length === 0 ? null : spread(values);
}

/** A line chart, one line per side; x = the concurrency levels, evenly spaced. */
function chart(title, unit, levels, rounds, metric) {
  const W = 560; const H = 300; const L = 60; const R = 190; const T = 30; const B = 40;
  const series = SIDES.map((s) => ({ ...s, points: levels.map((level) => measured(rounds, level, s.key, metric)) }));
  const top = Math.max(...series.flatMap((s) => s.points.filter(Boolean).map((p) => p.max))) * 1.1 || 1;
  const x = (i) => L + (levels.length === 1 ? 0 : (i * (W - L - R)) / (levels.length - 1));
  const y = (v) => T + (H - T - B) * (1 - v / top);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`
    + `<text x="${L}" y="18" font-weight="bold">${esc(title)}</text>`;
  for (let k = 0; k <= 4; k++) {
    const v = (top * k) / 4;
    svg += `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`
      + `<text x="${L - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${v >= 100 ? v.toFixed(0) : v.toFixed(1)}</text>`;
  }
  levels.forEach((level, i) => {
    svg += `<text x="${x(i)}" y="${H - B + 16}" text-anchor="middle" font-size="11">${level}</text>`;
  });
  svg += `<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle" font-size="11">concurrent executions</text>`
    + `<text x="12" y="${(T + H - B) / 2}" font-size="11" transform="rotate(-90 12 ${(T + H - B) / 2})" text-anchor="middle">${esc(unit)}</text>`;
  series.forEach((s, n) => {
    svg += `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${s.points
      .map((p, i) => (p ? `${x(i)},${y(p.median)}` : '')).filter(Boolean).join(' ')}"/>`;
    s.points.forEach((p, i) => {
      if (!p) return; // a failed phase: no point
      svg += `<line x1="${x(i)}" x2="${x(i)}" y1="${y(p.min)}" y2="${y(p.max)}" stroke="${s.color}"/>`
        + `<circle cx="${x(i)}" cy="${y(p.median)}" r="3" fill="${s.color}"><title>${esc(s.label)}, ${levels[i]} concurrent: `
        + `${p.median.toFixed(1)} ${esc(unit)} (min ${p.min.toFixed(1)}, max ${p.max.toFixed(1)})</title></circle>`;
    });
    svg += `<rect x="${W - R + 12}" y="${T + n * 18}" width="10" height="10" fill="${s.color}"/>`
      + `<text x="${W - R + 27}" y="${T + n * 18 + 9}" font-size="11">${esc(s.label)}</text>`;
  });
  return `${svg}</svg>`;
}

function table(head, rows) {
  return `<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>`
    + rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('') + '</table>';
}

const mmm = (values, digits = 1) => {
  if (values.length === 0) return 'not measured';
  const s = spread(values);
  return `${s.median.toFixed(digits)} [${s.min.toFixed(digits)}..${s.max.toFixed(digits)}]`;
};

function writeReport(dir, { meta, rounds, goals, references = [] }) {
  const levels = meta.levels;
  const goalRows = goals.map((g) => [g.label, g.median, `${g.min}..${g.max}`, g.goal, g.met ? 'met' : 'NOT met']);
  const referenceRows = references.map((r) => [r.label, r.median, `${r.min}..${r.max}`, r.beside]);
  const cpuRows = levels.map((level) => [level, ...SIDES.map((s) => mmm(rounds.map((r) => r.stream[level]?.[s.key]?.cpuMsPerMiB)
    .filter(Number.isFinite), 2))]);
  const failureRows = rounds.flatMap((r, i) => r.failures.map((f) => [i + 1, f]));
  const latencyRows = ['addon', 'rest'].map((side) => [side === 'rest' ? 'REST+WebSocket' : 'direct addon',
    mmm(rounds.map((r) => r.latency[side].p50), 2), mmm(rounds.map((r) => r.latency[side].p99), 2)]);
  const errorRows = Object.keys(rounds[0].errors).map((status) => [status,
    mmm(rounds.map((r) => r.errors[status].boxlite.rps), 0), mmm(rounds.map((r) => r.errors[status].bare.rps), 0),
    mmm(rounds.map((r) => r.errors[status].ratio * 100), 0),
    mmm(rounds.map((r) => r.errors[status].bareEngine?.rps).filter(Number.isFinite), 0)]);
  const official = rounds.filter((r) => r.official);
  const officialRows = official.length === 0 ? [] : [[mmm(official.map((r) => r.official.echoP50Ms), 2),
    mmm(official.map((r) => r.official.echoP99Ms), 2), official[0].official.streamConcurrency,
    mmm(official.map((r) => r.official.streamMibPerSec), 0)]];
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>boxlite-native bench:load</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1180px}table{border-collapse:collapse;margin:8px 0 20px}
td,th{border:1px solid #d1d5db;padding:4px 8px;text-align:left}.charts{display:flex;flex-wrap:wrap;gap:16px}
svg{font-family:system-ui,sans-serif;background:#fff;border:1px solid #e5e7eb}</style></head><body>
<h1>bench:load</h1>
<p>${esc(meta.date)}, Node ${esc(meta.node)}, ${meta.cpus} CPUs, test engine; ${rounds.length} round(s)${meta.quick ? ' (quick)' : ''},
${meta.streamBytes / 1048576} MiB per streaming execution (<code>head -c ${meta.streamBytes} /dev/zero</code>); ran ${meta.seconds.toFixed(0)} s.
Values are medians over rounds, [min..max] beside them; ratios are taken within a round. The machine may be shared: compare ratios, not absolute figures.</p>
<h2>Goals (issue 17)</h2>${table(['metric', 'median', 'min..max', 'goal', ''], goalRows)}
<h2>References (not goals)</h2><p>The most this machine leaves, measured in the same rounds: a server that speaks the
REST protocol with nothing behind it (every output frame one preallocated buffer), driven by the same client, and the
bare server making the same engine lookup as the 404 does.</p>${table(['reference', 'median', 'min..max', 'beside'], referenceRows)}
${failureRows.length ? `<h2>Failed phases</h2>${table(['round', 'phase'], failureRows)}` : ''}
<h2>Streaming against concurrency</h2><div class="charts">
${chart('throughput', 'MiB/s', levels, rounds, 'mibPerSec')}
${chart('per-execution time, p99', 'ms', levels, rounds, 'p99Ms')}
${chart('peak RSS (REST: the server; else the measuring process)', 'MiB', levels, rounds, 'peakRssMiB')}
${chart('CPU per MiB (server for REST)', 'ms/MiB', levels, rounds, 'cpuMsPerMiB')}</div>
<h2>CPU per MiB (ms)</h2>${table(['concurrency', ...SIDES.map((s) => s.label)], cpuRows)}
<h2><code>echo hi</code> round trip, sequential (ms)</h2>${table(['path', 'p50', 'p99'], latencyRows)}
<h2>Error answers, autocannon 10 connections (req/s)</h2>${table(['status', 'BoxLite handler', 'bare node:http', 'ratio %', 'bare + one engine lookup'], errorRows)}
<h2>Official client @boxlite-ai/boxlite driving the server</h2>${table(['echo hi p50 ms', 'echo hi p99 ms', 'concurrent streams', 'MiB/s'], officialRows)}
</body></html>
`;
  const file = path.join(dir, 'report.html');
  fs.writeFileSync(file, html);
  return file;
}

module.exports = { writeReport };
