// X-Request-Id: keep a well-formed id from the caller (a proxy or gateway may
// have logged it already), otherwise mint one. The id is echoed in a response
// header and in the error envelope, so anything odd is replaced rather than
// reflected back.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { headerOf } from './raw-headers';

const MAX_REQUEST_ID_LENGTH = 128;
const WELL_FORMED = /^[A-Za-z0-9._-]+$/;

/** True for an id we are willing to echo: 1..128 chars of [A-Za-z0-9._-]. */
export function isWellFormedRequestId(value: unknown): value is string {
  return typeof value === 'string'
    && value.length > 0
    && value.length <= MAX_REQUEST_ID_LENGTH
    && WELL_FORMED.test(value);
}

/** The request id for `req`: its own X-Request-Id when well formed, else a new UUID. */
export function requestIdFor(req: IncomingMessage): string {
  const incoming = headerOf(req, 'x-request-id');
  return isWellFormedRequestId(incoming) ? incoming : randomUUID();
}
