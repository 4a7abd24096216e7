// Single header lookups straight from `req.rawHeaders`. Node builds
// `req.headers` lazily, on first access, for every header of the request;
// the hot path needs two of them, so it reads the raw list the parser
// already made instead. Falls back to `req.headers` for request objects that
// have no raw list (some test doubles and frameworks).
import type { IncomingMessage } from 'node:http';

/** The first value of header `lowerName` (give it in lower case), or undefined. */
export function headerOf(req: IncomingMessage, lowerName: string): string | undefined {
  const raw = req.rawHeaders;
  if (!Array.isArray(raw)) {
    const v = req.headers[lowerName];
    return Array.isArray(v) ? v[0] : v;
  }
  const n = lowerName.length;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === n && name.toLowerCase() === lowerName) return raw[i + 1];
  }
  return undefined;
}
