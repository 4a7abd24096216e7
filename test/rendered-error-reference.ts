// The reference for kept error answers (lib/http/protocol/rendered-errors.ts):
// renderError's uncached path, written out, so a kept answer can be compared
// with what rendering the error afresh gives, byte for byte and header order
// included. Shared by the rendered-errors suites.
import { expect } from 'vitest';
import { errorResponse, serializeErrorBody } from '../lib/errors/error-response';
import { HttpStatusError } from '../lib/http/protocol/http-error';
import { type ErrorContext, renderError } from '../lib/http/protocol/respond';

export function referenceAnswer(err: unknown, ctx: ErrorContext) {
  const r = errorResponse(err, { requestId: ctx.requestId, exposeInternal: ctx.exposeInternal, includeBoxliteCode: true });
  const headers = r.headers;
  headers['X-Request-Id'] = ctx.requestId;
  if (err instanceof HttpStatusError && err.headers) Object.assign(headers, err.headers);
  const body = serializeErrorBody(r.body);
  headers['Content-Length'] = String(Buffer.byteLength(body));
  return { status: r.status, headers, body, code: r.body.error.code };
}

/** renderError(err, ctx) equals the reference: status, headers and their order, body and code. */
export function expectSameAnswer(err: unknown, ctx: ErrorContext): void {
  const want = referenceAnswer(err, ctx);
  const got = renderError(err, ctx);
  expect(got).toEqual(want);
  expect(Object.keys(got.headers)).toEqual(Object.keys(want.headers));
}
