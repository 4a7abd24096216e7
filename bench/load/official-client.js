// The official client, @boxlite-ai/boxlite (REST mode), driving the server:
// what a BoxLite user runs. Measured for the report (no goal of its own):
// sequential `echo hi` round trips, and streaming throughput at a modest
// concurrency. The client's stdout stream yields text chunks; their UTF-8
// length is counted (the stream is NUL bytes: one byte per character).
'use strict';
const { runPool } = require('./pool');
const { percentile, MIB } = require('./stats');
const { STREAM_BYTES, STREAM_COMMAND, SMALL_COMMAND, SMALL_OUTPUT } = require('./exec-command');

async function readAll(stream) {
  let text = '';
  let bytes = 0;
  for (;;) {
    const chunk = await stream.next();
    if (chunk === null || chunk === undefined) return { text, bytes };
    bytes += Buffer.byteLength(chunk);
    if (text.length < 16) text += chunk.slice(0, 16);
  }
}

async function run(box, { command, args }) {
  const ex = await box.exec(command, args, null, false, null, null, null);
  const [out] = await Promise.all([readAll(await ex.stdout()), readAll(await ex.stderr())]);
  const r = await ex.wait();
  if (r.exitCode !== 0) throw new Error(`official client: exit ${r.exitCode}`);
  return out;
}

async function measureOfficialClient(port, boxId, { latencyIterations, streamConcurrency, streamExecutions }) {
  const sdk = await import('@boxlite-ai/boxlite');
  const rt = sdk.JsBoxlite.rest(new sdk.BoxliteRestOptions({ url: `http://127.0.0.1:${port}` }));
  const box = await rt.get(boxId);
  const times = [];
  for (let i = 0; i < latencyIterations + 10; i++) {
    const t0 = process.hrtime.bigint();
    const out = await run(box, SMALL_COMMAND);
    if (out.text !== SMALL_OUTPUT) throw new Error(`official client: echo hi printed ${JSON.stringify(out.text)}`);
    if (i >= 10) times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const stream = await runPool(streamConcurrency, streamExecutions, async () => {
    const out = await run(box, STREAM_COMMAND);
    if (out.bytes !== STREAM_BYTES) throw new Error(`official client: ${out.bytes} bytes`);
  });
  return {
    echoP50Ms: percentile(times, 50),
    echoP99Ms: percentile(times, 99),
    streamConcurrency,
    streamMibPerSec: (streamExecutions * STREAM_BYTES) / MIB / stream.seconds,
  };
}

module.exports = { measureOfficialClient };
