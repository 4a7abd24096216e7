// Issue 17's goal table, judged on the medians of per-round values (each
// ratio is taken within one round, where both sides saw the same machine).
'use strict';
const { spread } = require('./stats');

const GOAL_CONCURRENCY = 100;

const GOALS = [
  { id: 'rest-vs-addon', label: `REST+WebSocket streaming vs the direct addon, ${GOAL_CONCURRENCY} concurrent (MiB/s)`,
    unit: '%', atLeast: 0.70, of: (r) => r.stream[GOAL_CONCURRENCY].rest.mibPerSec / r.stream[GOAL_CONCURRENCY].addon.mibPerSec },
  { id: 'addon-vs-spawn', label: `direct addon vs child_process.spawn, ${GOAL_CONCURRENCY} concurrent (MiB/s)`,
    unit: '%', atLeast: 0.90, of: (r) => r.stream[GOAL_CONCURRENCY].addon.mibPerSec / r.stream[GOAL_CONCURRENCY].spawn.mibPerSec },
  { id: 'server-rss', label: `server peak RSS, ${GOAL_CONCURRENCY} concurrent streams`,
    unit: 'MiB', atMost: 320, of: (r) => r.stream[GOAL_CONCURRENCY].rest.peakRssMiB },
  { id: 'direct-rss', label: `direct-API process peak RSS, ${GOAL_CONCURRENCY} concurrent streams`,
    unit: 'MiB', atMost: 256, of: (r) => r.stream[GOAL_CONCURRENCY].addon.peakRssMiB },
  { id: 'echo-latency', label: '`echo hi` round trip, REST+WebSocket vs the addon, p50, sequential',
    unit: 'x', atMost: 1.5, of: (r) => r.latency.rest.p50 / r.latency.addon.p50 },
  { id: 'error-400', label: '400 envelope (bad query, no engine call) req/s vs bare node:http',
    unit: '%', atLeast: 0.90, of: (r) => r.errors[400].ratio },
  { id: 'error-404', label: '404 envelope (missing box, engine lookup) req/s vs bare node:http',
    unit: '%', atLeast: 0.75, of: (r) => r.errors[404].ratio },
];

function format(value, unit) {
  if (unit === '%') return `${(value * 100).toFixed(1)}%`;
  if (unit === 'x') return `${value.toFixed(2)}x`;
  return `${value.toFixed(0)} ${unit}`;
}

/** Each goal with min/median/max over the rounds that measured it, and whether the median meets it. */
function judge(rounds) {
  return GOALS.flatMap((g) => {
    const values = rounds.map((r) => { try { return g.of(r); } catch { return undefined; } })
      .filter((v) => Number.isFinite(v));
    const goal = g.atLeast !== undefined ? `>= ${format(g.atLeast, g.unit)}` : `<= ${format(g.atMost, g.unit)}`;
    if (values.length === 0) return [{ id: g.id, label: g.label, goal, met: false, min: '-', median: 'not measured', max: '-' }];
    const s = spread(values);
    const met = g.atLeast !== undefined ? s.median >= g.atLeast : s.median <= g.atMost;
    return [{ id: g.id, label: g.label, goal, met, min: format(s.min, g.unit), median: format(s.median, g.unit),
      max: format(s.max, g.unit) }];
  });
}

// Not goals: what the machine leaves at best, measured in the same rounds, so
// a goal can be read beside the most any server could reach here.
const REFERENCES = [
  { id: 'ceiling-vs-addon', beside: 'rest-vs-addon', besideName: 'REST streaming',
    label: `REST ceiling (null-server.js: the protocol, nothing behind it) vs the addon, ${GOAL_CONCURRENCY} concurrent`,
    unit: '%', of: (r) => r.stream[GOAL_CONCURRENCY].ceiling.mibPerSec / r.stream[GOAL_CONCURRENCY].addon.mibPerSec },
  { id: 'engine-lookup-404', beside: 'error-404', besideName: '404',
    label: 'bare node:http plus one engine lookup (bare-server.js --engine) vs bare, 404',
    unit: '%', of: (r) => r.errors[404].engineRatio },
];

/** Each reference with min/median/max over the rounds that measured it, and the goal it stands beside. */
function references(rounds) {
  return REFERENCES.map((ref) => {
    const values = rounds.map((r) => { try { return ref.of(r); } catch { return undefined; } })
      .filter((v) => Number.isFinite(v));
    const goal = GOALS.find((g) => g.id === ref.beside);
    const beside = `the ${ref.besideName} goal, ${goal.atLeast !== undefined ? '>=' : '<='} ${format(goal.atLeast ?? goal.atMost, goal.unit)}`;
    if (values.length === 0) return { id: ref.id, label: ref.label, beside, min: '-', median: 'not measured', max: '-' };
    const s = spread(values);
    return { id: ref.id, label: ref.label, beside, min: format(s.min, ref.unit), median: format(s.median, ref.unit),
      max: format(s.max, ref.unit) };
  });
}

module.exports = { GOAL_CONCURRENCY, judge, references };
