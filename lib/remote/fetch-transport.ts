// The transport over a fetch implementation: used when the caller passes
// Runtime.rest({ fetch }), which then sees every request exactly as before
// (the same URL, init object, headers and body types).
import { Readable } from 'node:stream';
import type { Transport, TransportRequest, TransportResponse } from './transport';

export class FetchTransport implements Transport {
  readonly #fetch: typeof fetch;

  constructor(fetchImpl: typeof fetch) {
    this.#fetch = fetchImpl;
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    const streamed = req.body !== undefined && typeof req.body !== 'string' && !(req.body instanceof Uint8Array);
    const body = streamed ? Readable.toWeb(req.body as Readable) as ReadableStream<Uint8Array> : req.body as string | Uint8Array | undefined;
    const response = await this.#fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body,
      signal: req.signal,
      // A streamed body needs half duplex (Node's fetch refuses it otherwise).
      ...(streamed ? { duplex: 'half' } : {}),
    } as RequestInit);
    return new FetchResponse(response);
  }

  /** The caller's fetch owns its connections. */
  close(): void {}
}

class FetchResponse implements TransportResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly hasBody: boolean;
  readonly #response: Response;

  constructor(response: Response) {
    this.#response = response;
    this.status = response.status;
    this.headers = response.headers;
    this.hasBody = response.body !== null;
  }

  text(): Promise<string> {
    return this.#response.text();
  }

  async *chunks(): AsyncIterable<Uint8Array> {
    const body = this.#response.body;
    if (body === null) return;
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.cancel().catch(() => undefined);
    }
  }

  stream(): Readable {
    const body = this.#response.body;
    return body === null ? Readable.from([]) : Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  async discard(): Promise<void> {
    await this.#response.body?.cancel().catch(() => undefined);
  }
}
