// The two error answers measured against a bare node:http server answering
// the same bytes (bare-server.js), with autocannon, 10 connections:
//   400: a bad query (pageSize=0), refused before the engine is called;
//   404: a box that does not exist (the engine lookup included).
// The BoxLite server and the bare one run back to back, the first one
// alternating, and the ratio is taken per pair: both see the same moment of
// a shared, noisy machine.
'use strict';
const fs = require('node:fs');
const http = require('node:http');
const autocannon = require('autocannon');

const PATHS = {
  400: '/v1/boxes?pageSize=0',
  404: '/v1/boxes/no-such-box-for-the-bench',
};
const CONNECTIONS = 10;

function get(port, url) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: url, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject);
  });
}

/** One real answer per path from the BoxLite server: the bare server's template. */
async function recordAnswers(port) {
  const answers = {};
  for (const [status, url] of Object.entries(PATHS)) {
    const a = await get(port, url);
    if (String(a.status) !== status) throw new Error(`${url} answered ${a.status}, expected ${status}: ${a.body}`);
    answers[url] = a;
  }
  return answers;
}

/** The bare server must answer what the BoxLite server does, byte for byte but the request id. */
async function checkSameAnswers(boxlitePort, barePort) {
  for (const url of Object.values(PATHS)) {
    const [a, b] = await Promise.all([get(boxlitePort, url), get(barePort, url)]);
    const strip = (r) => r.body.split(r.headers['x-request-id']).join('<id>');
    if (a.status !== b.status || strip(a) !== strip(b) || a.headers['content-type'] !== b.headers['content-type']) {
      throw new Error(`bare server differs on ${url}: ${a.status} ${strip(a)} vs ${b.status} ${strip(b)}`);
    }
  }
}

async function load(port, url, seconds) {
  const r = await autocannon({ url: `http://127.0.0.1:${port}${url}`, connections: CONNECTIONS, duration: seconds });
  if (r.errors || r.timeouts) throw new Error(`autocannon on ${url}: ${r.errors} errors, ${r.timeouts} timeouts`);
  if (r.non2xx !== r.requests.total) throw new Error(`autocannon on ${url}: expected only error answers`);
  return { rps: r.requests.average, p99: r.latency.p99 };
}

/** CPU time (ms) a process has used so far, from /proc (Linux); null elsewhere or once it is gone. */
function cpuMsOf(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in clock ticks of 10 ms
  } catch {
    return null;
  }
}

/**
 * Waits until the servers are idle (at most one clock tick of CPU between
 * them over 100 ms; 3 s at most): a server keeps working for a while after its
 * run (collecting the garbage of thousands of requests, closing connections),
 * and the next run must not meet that work on the other core.
 */
async function settle(pids) {
  const deadline = Date.now() + 3000;
  let before = pids.map(cpuMsOf);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = pids.map(cpuMsOf);
    const used = now.reduce((sum, ms, i) => sum + (ms !== null && before[i] !== null ? ms - before[i] : 0), 0);
    if (used <= 10) return;
    before = now;
  }
}

/**
 * One pair per path: { [status]: { boxlite, bare, ratio } }, the order of the
 * two alternating. `servers`: { boxlite, bare, bareEngine? }, each { port, pid }.
 * With bareEngine (bare-server.js --engine) the 404 is also measured there,
 * after the pair: `engineRatio` is that server against the plain bare one,
 * what the engine lookup alone leaves of the bare rate. Every run starts once
 * the servers are idle (settle).
 */
async function measurePair(servers, seconds, boxliteFirst) {
  const pids = Object.values(servers).map((x) => x.pid);
  const out = {};
  for (const [status, url] of Object.entries(PATHS)) {
    const order = boxliteFirst ? ['boxlite', 'bare'] : ['bare', 'boxlite'];
    if (servers.bareEngine !== undefined && status === '404') order.push('bareEngine');
    const r = {};
    for (const side of order) {
      await settle(pids);
      r[side] = await load(servers[side].port, url, seconds);
    }
    out[status] = { boxlite: r.boxlite, bare: r.bare, ratio: r.boxlite.rps / r.bare.rps };
    if (r.bareEngine) Object.assign(out[status], { bareEngine: r.bareEngine, engineRatio: r.bareEngine.rps / r.bare.rps });
  }
  return out;
}

module.exports = { PATHS, recordAnswers, checkSameAnswers, load, measurePair };
