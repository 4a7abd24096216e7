'use strict';
// Soak: normal and hostile clients mixed, for a fixed duration (3 minutes at
// full scale; SOAK_SECONDS overrides), against one server. Every second the
// server's RSS, open descriptors, spill bytes (its unlinked output files) and
// staging directories are sampled. Passes when they plateau: the second half
// of the run holds no more than the first half (plus a margin), and at the
// end descriptors, spill and staging are back to their baseline, retained
// memory (forced GC in the child) is back near it, and every execution slot
// can be taken again.
//
// Clients (each loops until the deadline):
//   reader      exec 1 MiB, attach, read it all (every byte checked)
//   unread      exec 12 MiB (it spills), never attach (the idle reaper takes it)
//   dropper     attach, read 256 KiB, drop the socket, re-attach, read the rest
//   staller     attach, stop reading for a second, then read it all
//   uploader    PUT an archive and cut the connection mid-entry
//   malformed   POST exec with a broken body (400)
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { attach, createBox, request, startExec, startServer } = require('./support/server');
const { abortedUpload } = require('./support/files-support');
const { producer, settle, MIB } = require('./support/scenario');
const { descriptorsOf, memoryOf } = require('./support/proc');

exports.name = 'soak: mixed normal and hostile clients';

/** Slots the server is started with: small, so a leaked one is seen at the end. */
const MAX_EXECUTIONS = 24;

/** Bytes on disk held by the server's spill files (unlinked, still open). */
function spillBytes(pid) {
  let total = 0;
  const dir = `/proc/${pid}/fd`;
  for (const fd of fs.readdirSync(dir)) {
    try {
      if (!fs.readlinkSync(`${dir}/${fd}`).includes('boxlite-output-')) continue;
      total += fs.statSync(`${dir}/${fd}`).blocks * 512;
    } catch { /* closed meanwhile */ }
  }
  return total;
}

function stagingCount(tmpDir) {
  return fs.readdirSync(tmpDir).filter((n) => n.startsWith('boxlite-files-')).length;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

exports.run = async function run({ scale = 1, seconds } = {}) {
  const durationMs = 1000 * (seconds ?? (Number(process.env.SOAK_SECONDS) || Math.max(10, Math.round(180 * scale))));
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'boxlite-soak-'));
  const server = await startServer([
    '--limit', `maxExecutions=${MAX_EXECUTIONS}`, '--limit', 'execIdleTimeoutMs=5000', '--limit', 'execReapGraceMs=500',
  ], { env: { TMPDIR: tmpDir } });
  const counts = {};
  const tally = (k) => { counts[k] = (counts[k] || 0) + 1; };
  let written = 0;
  let received = 0;
  try {
    const boxId = await createBox(server.origin);
    // Warm-up, so the baseline includes first-use allocations.
    const warm = await startExec(server.origin, boxId, ...producer(64 * 1024));
    await (await attach(server.origin, boxId, warm)).closed;
    await sleep(300);
    const base = { fds: descriptorsOf(server.pid).count, retained: (await server.retained()).rss, staging: stagingCount(tmpDir) };
    const deadline = Date.now() + durationMs;
    const samples = [];
    const sampler = setInterval(() => {
      try {
        samples.push({ t: Date.now(), rss: memoryOf(server.pid).rss, fds: descriptorsOf(server.pid).count, spill: spillBytes(server.pid), staging: stagingCount(tmpDir) });
      } catch { /* exited */ }
    }, 1000);

    // An exec may meet the slot cap while others run: 429 is a valid answer, retried later.
    const exec = async (bytes) => {
      try {
        return await startExec(server.origin, boxId, ...producer(bytes));
      } catch (err) {
        if (/exec: 429/.test(err.message)) { tally('429'); await sleep(100); return null; }
        throw err;
      }
    };
    const clients = {
      async reader() {
        const id = await exec(MIB);
        if (!id) return;
        const s = await attach(server.origin, boxId, id);
        await s.closed;
        written += MIB; received += s.bytes;
        tally(s.bytes === MIB && s.exitCode === 0 ? 'reader ok' : 'reader short');
      },
      async unread() {
        const id = await exec(12 * MIB); // past the 8 MiB window: it spills
        if (!id) return;
        tally('unread');
        await sleep(500);
      },
      async dropper() {
        const id = await exec(MIB);
        if (!id) return;
        let first = 0;
        await new Promise((resolve, reject) => {
          attach(server.origin, boxId, id, {
            onOutput: (bytes, ws) => { if (bytes >= 256 * 1024 && first === 0) { first = bytes; ws.terminate(); } },
          }).then((s) => s.closed.then(resolve), reject);
        });
        // The server may not have seen the dropped socket close yet: its
        // single attach slot answers 409 until it has. Retry, bounded.
        let again = null;
        for (let i = 0; again === null; i++) {
          try {
            again = await attach(server.origin, boxId, id);
          } catch (err) {
            if (i >= 50 || !/attach refused: 409/.test(err.message)) throw err;
            await sleep(50);
          }
        }
        await again.closed;
        written += MIB; received += first + again.bytes;
        tally(again.exitCode === 0 ? 'dropper ok' : 'dropper no exit');
      },
      async staller() {
        const id = await exec(2 * MIB);
        if (!id) return;
        const s = await attach(server.origin, boxId, id);
        s.ws._socket.pause();
        await sleep(1000);
        s.ws._socket.resume();
        await s.closed;
        written += 2 * MIB; received += s.bytes;
        tally(s.bytes === 2 * MIB ? 'staller ok' : 'staller short');
      },
      async uploader() {
        await abortedUpload(server.origin, boxId, { pid: server.pid, announced: 8 * MIB, sendBytes: MIB });
        tally('upload aborted');
        await sleep(200);
      },
      async malformed() {
        const r = await request(`${server.origin}/v1/boxes/${boxId}/exec`, { method: 'POST', body: { command: 42 } });
        tally(`malformed ${r.status}`);
        await sleep(50);
      },
    };
    const loops = Object.entries(clients).map(async ([name, once]) => {
      while (Date.now() < deadline) {
        try { await once(); } catch (err) { tally(`${name} error: ${err.message.slice(0, 80)}`); await sleep(200); }
      }
    });
    await Promise.all(loops);
    clearInterval(sampler);

    // Quiesce: the idle reaper takes the unread executions, staging is swept.
    const settled = await settle(() => descriptorsOf(server.pid).count <= base.fds + 2
      && spillBytes(server.pid) === 0 && stagingCount(tmpDir) <= base.staging, 15_000);
    // Finished sessions are kept for polling until the idle reaper (5 s here).
    await sleep(6000);
    const retainedAfter = (await server.retained()).rss;
    const fdsAfter = descriptorsOf(server.pid).count;
    // Every slot can be taken again: nothing leaked one.
    const slots = [];
    for (let i = 0; i < MAX_EXECUTIONS; i++) {
      const r = await request(`${server.origin}/v1/boxes/${boxId}/exec`, { method: 'POST', body: { command: 'sleep', args: ['30'] } });
      slots.push(r.status);
      if (r.status === 201) await request(`${server.origin}/v1/boxes/${boxId}/executions/${r.json.execution_id}`, { method: 'DELETE' });
    }
    const half = Math.floor(samples.length / 2);
    const max = (list, k) => list.reduce((m, s) => Math.max(m, s[k]), 0);
    const first = samples.slice(0, half);
    const second = samples.slice(half);
    const row = {
      scenario: `${exports.name} (${Math.round(durationMs / 1000)} s)`,
      peakRssMiB: Math.round(max(samples, 'rss') / MIB),
      rssFirstHalfMiB: Math.round(max(first, 'rss') / MIB),
      rssSecondHalfMiB: Math.round(max(second, 'rss') / MIB),
      fdsBefore: base.fds,
      fdsAfter,
      fdsMaxFirstHalf: max(first, 'fds'),
      fdsMaxSecondHalf: max(second, 'fds'),
      spillMaxMiB: Math.round(max(samples, 'spill') / MIB),
      spillAfter: spillBytes(server.pid),
      stagingMax: max(samples, 'staging'),
      stagingAfter: stagingCount(tmpDir),
      retainedAfterMiB: Math.round((retainedAfter - base.retained) / MIB),
      slotsFreeAtEnd: slots.filter((s) => s === 201).length,
      settled: Boolean(settled),
      bytesWritten: written,
      bytesReceived: received,
      statuses: counts,
    };
    // The plateau: the second half holds no more than the first (a margin
    // for noise), and everything is given back at the end.
    // (Descriptors in use at a moment follow how many clients happen to be
    // mid-request, so the margin is wide; a leak shows at the end instead.)
    row.plateau = row.rssSecondHalfMiB <= row.rssFirstHalfMiB * 1.25 + 32
      && row.fdsMaxSecondHalf <= row.fdsMaxFirstHalf * 1.5 + 16
      && row.fdsAfter <= row.fdsBefore + 2 && row.spillAfter === 0 && row.stagingAfter === 0
      && row.retainedAfterMiB < 24 && row.slotsFreeAtEnd === MAX_EXECUTIONS;
    if (process.env.STRESS_ASSERT !== '0' && !row.plateau) {
      const err = new Error(`no plateau: ${JSON.stringify(row)}`);
      err.row = row;
      throw err;
    }
    return row;
  } finally {
    await server.stop();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
};
