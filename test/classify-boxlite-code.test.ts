// errorResponse's opt-in `error.boxlite_code`: the engine's numeric code in
// BoxLite's envelope, so a remote client can rebuild the exact BoxliteError
// subclass (the wire `code` alone is shared by several codes).
import { describe, expect, it } from 'vitest';
import { errorResponse, serializeErrorBody } from '../lib/errors/error-response';
import { BoxliteError, BoxliteErrorCode, InternalError, NotFoundError } from '../lib/errors/errors';

describe('errorResponse includeBoxliteCode', () => {
  it('is absent unless asked for', () => {
    expect(errorResponse(new NotFoundError('box not found: b')).body.error).not.toHaveProperty('boxlite_code');
    expect(errorResponse(new NotFoundError('box not found: b'), { includeBoxliteCode: false }).body.error).not.toHaveProperty('boxlite_code');
  });

  it('carries every code 1..21, placed before request_id', () => {
    for (let code = 1; code <= 21; code++) {
      const r = errorResponse(BoxliteError.fromCode(code, 'm'), { includeBoxliteCode: true, requestId: 'req-1' });
      expect(r.body.error.boxlite_code).toBe(code);
      expect(Object.keys(r.body.error)).toEqual(['message', 'type', 'code', 'boxlite_code', 'request_id']);
    }
    const noId = errorResponse(new NotFoundError('box not found: b'), { includeBoxliteCode: true });
    expect(Object.keys(noId.body.error)).toEqual(['message', 'type', 'code', 'boxlite_code']);
    expect(serializeErrorBody(noId.body)).toBe('{"error":{"message":"box not found: b","type":"NotFoundError","code":"not_found","boxlite_code":2}}');
  });

  it('tells apart what the wire code cannot: Portal, Rpc and RpcTransport; a reclassified Internal', () => {
    const codes = [BoxliteErrorCode.Portal, BoxliteErrorCode.Rpc, BoxliteErrorCode.RpcTransport].map((c) => {
      const e = errorResponse(BoxliteError.fromCode(c, 'x'), { includeBoxliteCode: true }).body.error;
      return [e.code, e.boxlite_code];
    });
    expect(codes).toEqual([['upstream_unavailable', 15], ['upstream_unavailable', 16], ['upstream_unavailable', 17]]);
    const spawn = new InternalError("internal error: spawn_failed: executable 'nope' not found in $PATH");
    const r = errorResponse(spawn, { includeBoxliteCode: true });
    expect([r.status, r.body.error.code, r.body.error.boxlite_code]).toEqual([422, 'execution_failed', 1]);
  });

  it('carries a code from any error-like object with an integer boxliteCode in 1..21, and nothing else', () => {
    expect(errorResponse({ boxliteCode: 20, message: 'resource exhausted: q' }, { includeBoxliteCode: true }).body.error.boxlite_code).toBe(20);
    for (const bad of [0, 22, -1, 2.5, Number.NaN, '2', null, undefined]) {
      expect(errorResponse({ boxliteCode: bad, message: 'm' }, { includeBoxliteCode: true }).body.error).not.toHaveProperty('boxlite_code');
    }
    for (const value of [null, undefined, 'text', 42, new Error('plain'), { status: 404 }]) {
      expect(errorResponse(value, { includeBoxliteCode: true }).body.error).not.toHaveProperty('boxlite_code');
    }
    // The boundaries themselves.
    expect(errorResponse({ boxliteCode: 1, message: 'internal error: x' }, { includeBoxliteCode: true }).body.error.boxlite_code).toBe(1);
    expect(errorResponse({ boxliteCode: 21, message: 'session reaped: x' }, { includeBoxliteCode: true }).body.error.boxlite_code).toBe(21);
  });

  it('never throws on hostile values', () => {
    const throwing = new Proxy({}, { get() { throw new Error('boom'); } });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    for (const value of [throwing, proxy]) {
      const r = errorResponse(value, { includeBoxliteCode: true });
      expect(r.status).toBe(500);
      expect(r.body.error).not.toHaveProperty('boxlite_code');
    }
  });
});
