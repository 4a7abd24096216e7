// Decoding a compressed answer body as fetch does: the request says
// `Accept-Encoding: gzip, deflate` (what Node's fetch sends), and an answer
// with a Content-Encoding of gzip, x-gzip, deflate or br (several allowed,
// undone last to first) is read decompressed. Any other coding is passed
// through as it came, as fetch does.
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import zlib from 'node:zlib';

export const ACCEPT_ENCODING = 'gzip, deflate';

/** At most this many codings are undone: a longer chain is passed through as it came (no unbounded decoder chain). */
const MAX_CODINGS = 5;

function decoderFor(coding: string): NodeJS.ReadWriteStream | null {
  // Sync flush: a body cut just after a complete block still yields what arrived (undici's settings).
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(flush);
    case 'deflate':
      return zlib.createInflate(flush);
    case 'br':
      return zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
    default:
      return null;
  }
}

/**
 * The decoded body of `raw` for its Content-Encoding header, or `raw` itself.
 * Destroying the returned stream destroys `raw` (and so its connection).
 */
export function decodedBody(raw: Readable, contentEncoding: string | undefined): Readable {
  if (contentEncoding === undefined || contentEncoding === '') return raw;
  const codings = contentEncoding.toLowerCase().split(',').map((c) => c.trim()).filter((c) => c !== '' && c !== 'identity').reverse();
  if (codings.length === 0 || codings.length > MAX_CODINGS) return raw;
  const decoders: NodeJS.ReadWriteStream[] = [];
  for (const coding of codings) {
    const decoder = decoderFor(coding);
    if (decoder === null) return raw; // an unknown coding: the body as it came
    decoders.push(decoder);
  }
  // pipeline destroys every stage when one fails or the last is destroyed.
  return pipeline([raw, ...decoders] as unknown as [Readable, NodeJS.ReadWriteStream], () => undefined) as unknown as Readable;
}
