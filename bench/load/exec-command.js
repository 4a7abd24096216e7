// What every streaming execution of the load benchmark runs, and what the
// small-execution latency runs.
'use strict';

const STREAM_BYTES = 4 * 1024 * 1024;
const STREAM_COMMAND = { command: 'head', args: ['-c', String(STREAM_BYTES), '/dev/zero'] };
const SMALL_COMMAND = { command: 'echo', args: ['hi'] };
const SMALL_OUTPUT = 'hi\n';

module.exports = { STREAM_BYTES, STREAM_COMMAND, SMALL_COMMAND, SMALL_OUTPUT };
