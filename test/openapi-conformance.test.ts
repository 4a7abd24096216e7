// OpenAPI conformance: with BOXLITE_OPENAPI pointing at BoxLite's
// openapi/box.openapi.yaml, runs the HTTP suites (test/http-*.test.ts) in a
// child vitest that records every answer their servers give (see
// answer-recorder.ts), then checks each answer against the operation's
// documented responses (openapi-validator.ts) and reports which operations
// were covered. The document is read at run time and never copied into this
// repository; no npm package ships it, so without the variable this test is
// skipped, saying why.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_LOG_ENV, type RecordedAnswer } from './answer-recorder';
import { type Amendment, type Divergence, OpenApiValidator, formatReport } from './openapi-validator';

const DOCUMENT = process.env.BOXLITE_OPENAPI;
const SKIP_REASON = 'BOXLITE_OPENAPI is not set (point it at BoxLite\'s openapi/box.openapi.yaml to check every HTTP answer against it)';

/**
 * Answers the document does not list for an operation, each with why this
 * server gives it (see Divergence for the key forms). Statuses from the
 * layers around every operation come first, then particular divergences.
 */
export const EXPLAINED: readonly Divergence[] = [
  { key: '* 400 invalid_argument', reason: 'malformed input on any operation: an id over 128 characters or not '
    + 'percent-decodable, a bad query value (pageSize, status, force), bad JSON, a malformed Idempotency-Key; the '
    + 'document lists 400 only where it validates a body' },
  { key: '* 400 unsupported', reason: 'a capability GET /v1/config reports false (snapshots, clone, export, import) or '
    + 'that this local server lacks (tunnels, images, volumes): BoxLite\'s error table answers UnsupportedError '
    + '(unsupported) with 400, and clients that read /v1/config never call these' },
  { key: '* 401', reason: 'BearerAuth applies to every operation but GET /v1/config (document: "All endpoints (except '
    + 'GET /v1/config) require an opaque token"); only GET /v1/me lists 401' },
  { key: '* 403', reason: 'a credential without the scope the operation needs (Principal.scopes), refused by the authorize hook' },
  { key: '* 404 not_found', reason: 'a {prefix} this deployment does not serve (any prefixed operation), or a box or '
    + 'execution that does not exist on operations that do not list 404 (createBox under an unknown prefix, ...)' },
  { key: '* 413', reason: 'a request body over the configured limit (jsonLimit, filesLimit)' },
  { key: '* 415', reason: 'a body whose Content-Type is not the one the operation takes (application/json; application/x-tar '
    + 'for uploadFiles): 415 Unsupported Media Type (RFC 9110 15.5.16), refused before the body is read. BoxLite\'s own '
    + '`boxlite serve` answers the same through axum\'s Json extractor; the document lists 415 on no operation' },
  { key: '* 421', reason: 'a Host header this server does not answer for (the DNS-rebinding guard, lib/http/guards/host-guard.ts): '
    + '421 Misdirected Request (RFC 9110 15.5.20), before any operation runs' },
  { key: 'outside OPTIONS 204', reason: 'a CORS preflight from an allowed origin (the `cors` option) is answered before '
    + 'routing with 204 and no body; preflights are the browser\'s protocol, so the document describes no OPTIONS' },
  { key: '* 429', reason: 'a server limit was reached (resource_exhausted, with Retry-After)' },
  { key: '* 500', reason: 'an unexpected engine failure (internal)' },
  { key: '* 503', reason: 'the engine or this handler is stopping or unavailable (with Retry-After)' },
  // Engine errors. Every failure goes through BoxLite's own table (src/shared/src/errors.rs,
  // BoxliteError::http), which gives each engine error its status whatever the operation; the
  // fault suite (http-faults) injects every code at every operation, so these appear on
  // operations whose entry in the document lists only the common cases.
  { key: '* 409 already_exists', reason: 'engine AlreadyExists -> 409 in BoxLite\'s table' },
  { key: '* 409 invalid_state', reason: 'engine InvalidState -> 409 in BoxLite\'s table (e.g. killing an execution the engine is already tearing down)' },
  { key: '* 409 stopped', reason: 'engine Stopped (runtime shut down) -> 409 in BoxLite\'s table' },
  { key: '* 410 session_reaped', reason: 'an execution reaped for idleness (execIdleTimeoutMs), or an engine SessionReaped '
    + 'error (injected by the fault suite on other operations) -> 410 in BoxLite\'s table; the document lists SessionReaped '
    + 'in ErrorModel but 410 on no operation' },
  { key: '* 422 execution_failed', reason: 'a process that cannot be spawned (missing binary, not executable) is '
    + 'ExecutionError -> 422 in BoxLite\'s table; startExecution lists no 422, but BoxLite\'s own classification requires it '
    + '(a 400 would blame the request, a 500 the server)' },
  { key: '* 422 image_pull_failed', reason: 'engine ImageError -> 422 in BoxLite\'s table (the document lists it on createBox and pullImage)' },
  // Idempotency-Key: the parameter's own description says "Same key with different payload returns 422",
  // on every operation that takes it, though only createBox lists 422 among its responses.
  ...['removeBox', 'startBox', 'stopBox', 'startExecution', 'signalExecution'].map((op) => ({
    key: `${op} 422 invalid_argument`,
    reason: 'an Idempotency-Key reused with a different request (idempotencyKey parameter: "Same key with different payload returns 422")',
  })),
  { key: 'attachExecution 426', reason: 'attach is a WebSocket endpoint: a plain GET gets 426 Upgrade Required with '
    + '`Upgrade: websocket` (RFC 9110 15.5.22), which tells a misconfigured proxy or client what is missing' },
];

/** Values BoxLite itself sends that the document's schemas do not list. */
export const AMENDMENTS: readonly Amendment[] = [
  {
    path: ['components', 'schemas', 'ErrorModel', 'properties', 'type'],
    addEnum: ['SessionReapedError'],
    reason: 'BoxLite\'s own table sends type "SessionReapedError" for 410 (src/shared/src/errors.rs: '
      + 'SessionReaped(_) => (410, "SessionReapedError", "session_reaped"), and its REST client maps that row back); '
      + 'the document\'s enum says "SessionReaped". Clients dispatch on code (session_reaped), which both agree on. '
      + '(BoxLite\'s newer document lists SessionReapedError itself; then this adds nothing.)',
  },
  {
    path: ['components', 'schemas', 'Box', 'properties', 'cpus'],
    replace: { maximum: 255 },
    reason: 'the document caps cpus at 32, but no BoxLite server enforces it: `boxlite serve` reads cpus as a u8 '
      + '(src/cli/src/commands/serve/types.rs) and hands it to the runtime, and the reference server passes it through. '
      + 'This server holds a create body to the document\'s 1..32 (test/http-request-bounds.test.ts), but it serves a '
      + 'runtime the embedding application also drives: a box made through Runtime.createBox takes what libboxlite '
      + 'takes (1..255), and the Box this server answers for it carries that count.',
  },
];

describe('OpenAPI conformance', () => {
  it.skipIf(!DOCUMENT)(`every answer of the HTTP suites is valid against BoxLite's document${DOCUMENT ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
    const validator = new OpenApiValidator(readFileSync(DOCUMENT as string, 'utf8'), { explained: EXPLAINED, amendments: AMENDMENTS });
    const dir = mkdtempSync(join(tmpdir(), 'boxlite-conformance-'));
    try {
      const log = join(dir, 'answers.jsonl');
      const only = process.env.BOXLITE_CONFORMANCE_SUITES; // e.g. "http-routes,http-exec" to narrow a run
      const suites = readdirSync('test').filter((f) => /^http-.*\.test\.ts$/.test(f))
        .filter((f) => !only || only.split(',').some((o) => f.startsWith(o.trim())))
        .map((f) => join('test', f));
      const env: NodeJS.ProcessEnv = { ...process.env, [CONFORMANCE_LOG_ENV]: log };
      delete env.BOXLITE_OPENAPI;
      const child = spawnSync(process.execPath, [join('node_modules', 'vitest', 'vitest.mjs'), 'run', ...suites], {
        env, encoding: 'utf8', timeout: 25 * 60_000, maxBuffer: 64 << 20,
      });
      const summary = `${child.stdout ?? ''}${child.stderr ?? ''}`.split('\n').filter((l) => /Test Files|Tests |FAIL/.test(l)).join('\n');
      const answers: RecordedAnswer[] = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      const report = validator.check(answers);
      const amended = AMENDMENTS.map((a) => `  ${a.path.join('/')}${a.addEnum ? ` enum += ${JSON.stringify(a.addEnum)}` : ''}`
        + `${a.replace ? ` ${JSON.stringify(a.replace)}` : ''}\n      why: ${a.reason}`).join('\n');
      console.log(`${formatReport(report, validator)}\nschema amendments:\n${amended}\nHTTP suites (exit ${child.status}):\n${summary}`);
      expect(report.checked).toBeGreaterThan(only ? 0 : 500);
      expect(report.failures.map((f) => `${f.answer.method} /v1${f.answer.path} ${f.answer.status} ${f.operation}: ${f.problem}`)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30 * 60_000);
});
