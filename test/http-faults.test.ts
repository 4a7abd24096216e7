// The fault matrix: every BoxLite code (1..21) injected into the engine at
// create, exec, attach, signal and kill; the HTTP answer must be that code's
// row of BoxLite's canonical table, with the envelope and the request id.
// The expected rows are written out here, independently of lib/errors/http-table.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Answer, type Served, attach, attachUrl, createBox, postJson, request, serve, startExec } from './http-support';

const TABLE: Record<number, [status: number, type: string, code: string]> = {
  1: [500, 'InternalError', 'internal'],
  2: [404, 'NotFoundError', 'not_found'],
  3: [409, 'AlreadyExistsError', 'already_exists'],
  4: [409, 'InvalidStateError', 'invalid_state'],
  5: [400, 'InvalidArgumentError', 'invalid_argument'],
  6: [500, 'ConfigError', 'config_error'],
  7: [500, 'StorageError', 'storage_error'],
  8: [422, 'ImageError', 'image_pull_failed'],
  9: [503, 'NetworkError', 'network_unavailable'],
  10: [422, 'ExecutionError', 'execution_failed'],
  11: [409, 'StoppedError', 'stopped'],
  12: [503, 'EngineError', 'engine_unavailable'],
  13: [400, 'UnsupportedError', 'unsupported'],
  14: [500, 'DatabaseError', 'database_error'],
  15: [503, 'UpstreamUnavailableError', 'upstream_unavailable'],
  16: [503, 'UpstreamUnavailableError', 'upstream_unavailable'],
  17: [503, 'UpstreamUnavailableError', 'upstream_unavailable'],
  18: [500, 'MetadataError', 'metadata_error'],
  19: [400, 'UnsupportedError', 'unsupported'],
  20: [429, 'ResourceExhaustedError', 'resource_exhausted'],
  21: [410, 'SessionReapedError', 'session_reaped'],
};
const CODES = Object.keys(TABLE).map(Number);

let s: Served;
let box: string;

/** One rule at a time: rewriting the rules file re-arms the rules already in it. */
function inject(rule: Parameters<Served['t']['injectFault']>[0]): void {
  s.t.clearFaults();
  s.t.injectFault(rule);
}
beforeAll(async () => {
  // Every attach asks the engine here (no box reuse), so a fault injected at
  // `get` reaches it; reuse is covered by http-box-reuse.test.ts.
  s = await serve({ handler: { boxReuseMs: 0 } });
  box = await createBox(s.origin, { name: 'fault-box' });
});
afterAll(async () => { await s.close(); });

function expectRow(code: number, status: number, headers: Record<string, unknown>, body: { error: Record<string, unknown> }, where: string): void {
  const [wantStatus, type, wire] = TABLE[code];
  expect({ where, code, status, type: body.error.type, wire: body.error.code }).toEqual({ where, code, status: wantStatus, type, wire });
  expect(typeof body.error.message).toBe('string');
  expect(body.error.request_id).toBe(headers['x-request-id']);
  if (wantStatus === 429 || wantStatus === 503) expect(headers['retry-after']).toBeDefined();
}

function expectAnswerRow(code: number, a: Answer, where: string): void {
  expectRow(code, a.status, a.headers, a.json, where);
}

describe.each(['sync', 'async'] as const)('faults (%s)', (when) => {
  it('at create: POST /v1/boxes', async () => {
    for (const code of CODES) {
      inject({ op: 'create_box', code, when });
      expectAnswerRow(code, await postJson(`${s.origin}/v1/boxes`, { image: 'alpine:latest' }), 'create');
    }
  });

  it('at exec: POST .../exec', async () => {
    for (const code of CODES) {
      inject({ op: 'exec', code, box, when });
      expectAnswerRow(code, await postJson(`${s.origin}/v1/boxes/${box}/exec`, { command: 'true' }), 'exec');
    }
  });

  it('at attach: the upgrade is refused with the row, over plain HTTP', async () => {
    const eid = await startExec(s.origin, box, { command: 'sleep', args: ['60'] });
    try {
      for (const code of CODES) {
        inject({ op: 'get', code, box, when });
        const refused = await attach(attachUrl(s.origin, box, eid)).then(() => null, (e) => e);
        expect(refused, `code ${code}`).not.toBeNull();
        expectRow(code, refused.status, refused.headers, refused.body, 'attach');
      }
      // with no fault left, the same exec attaches fine
      const ok = await attach(attachUrl(s.origin, box, eid));
      ok.ws.close();
      await ok.closed;
    } finally {
      await request(`${s.origin}/v1/boxes/${box}/executions/${eid}`, { method: 'DELETE' });
    }
  });

  it('at signal: POST .../signal', async () => {
    const eid = await startExec(s.origin, box, { command: 'sleep', args: ['60'] });
    try {
      for (const code of CODES) {
        inject({ op: 'signal', code, box, when });
        expectAnswerRow(code, await postJson(`${s.origin}/v1/boxes/${box}/executions/${eid}/signal`, { signal: 15 }), 'signal');
      }
      expect((await request(`${s.origin}/v1/boxes/${box}/executions/${eid}`)).json.status).toBe('running');
    } finally {
      await request(`${s.origin}/v1/boxes/${box}/executions/${eid}`, { method: 'DELETE' });
    }
  });

  it('at kill: DELETE .../executions/{id} (a failed kill keeps the execution)', async () => {
    const eid = await startExec(s.origin, box, { command: 'sleep', args: ['60'] });
    const url = `${s.origin}/v1/boxes/${box}/executions/${eid}`;
    for (const code of CODES) {
      inject({ op: 'kill', code, box, when });
      expectAnswerRow(code, await request(url, { method: 'DELETE' }), 'kill');
      expect((await request(url)).json.status).toBe('running');
    }
    expect((await request(url, { method: 'DELETE' })).status).toBe(204);
  });

  afterAll(() => s.t.clearFaults());
});

it('5xx answers were reported to onError', () => {
  expect(s.errors.length).toBeGreaterThan(0);
});
