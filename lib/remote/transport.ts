// How the remote client puts one HTTP request on the wire: the seam between
// http-client.ts (URL, credentials, retries, typed errors: one code path) and
// the two ways of sending it, node-http-transport.ts (the default: node:http
// and node:https over a keep-alive Agent the runtime owns) and
// fetch-transport.ts (the caller's `fetch` option).
//
// Both behave as fetch does: redirects followed, compressed answers decoded,
// the request rejected with the signal's reason once aborted (mid-body too),
// a body that is not read to its end never read further.
import type { Readable } from 'node:stream';

/** The answer headers the client reads (a WHATWG Headers satisfies it). */
export interface HeaderLookup {
  /** The value (repeated fields joined with ', '), or null. Case-insensitive. */
  get(name: string): string | null;
  has(name: string): boolean;
}

export interface TransportRequest {
  method: string;
  url: string;
  headers: Readonly<Record<string, string>>;
  /** JSON text, bytes, or a stream sent as it is read (a stream cannot be sent twice). */
  body: string | Uint8Array | Readable | undefined;
  signal: AbortSignal | undefined;
}

export interface TransportResponse {
  status: number;
  headers: HeaderLookup;
  /** False when the answer has no body by definition (HEAD, 204, 205, 304), as fetch's `response.body === null`. */
  hasBody: boolean;
  /** The whole body, UTF-8 decoded (a leading BOM dropped, as fetch's `text()`). */
  text(): Promise<string>;
  /**
   * The body chunk by chunk; leaving the loop early stops reading it (the
   * connection is then closed, never drained).
   */
  chunks(): AsyncIterable<Uint8Array>;
  /** The body as a Node stream (for unpacking a download). */
  stream(): Readable;
  /**
   * The body is not wanted: drops it. Settles once a body that has fully
   * arrived is dropped (its connection then serves the next request), never
   * waiting for bytes still to come.
   */
  discard(): Promise<void>;
}

export interface Transport {
  /** Resolves once the status and headers arrived; rejects on a network failure or with the signal's reason. */
  request(req: TransportRequest): Promise<TransportResponse>;
  /** Releases what the transport holds (idle sockets); requests in flight are cut. Idempotent. */
  close(): void;
}
