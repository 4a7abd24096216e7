// The `{prefix}` routing slot of `/v1/{prefix}/...`: optional, possibly
// several segments (`us-east/team-42`), opaque to clients. Which prefixes a
// handler answers is configured, never guessed:
//   undefined / ''  -> no prefix (`/v1/boxes`), the `boxlite serve` shape;
//   'a/b'           -> exactly that prefix;
//   ['a', 'b/c']    -> any of these;
//   '*'             -> any well-formed prefix, or none.
// With '*', the leftmost split that yields a known route wins, so
// `/v1/boxes/boxes` is box "boxes" with no prefix, never the list under
// prefix "boxes". Authorization hooks see the prefix and can bind it to the
// caller (tenant checks belong there).

export type PathPrefixOption = string | readonly string[] | '*' | undefined;

const SEGMENT = /^[A-Za-z0-9._~-]+$/;
const MAX_PREFIX_LENGTH = 128;

export interface PrefixPolicy {
  readonly any: boolean;
  /** Allowed prefixes as segment lists; [] means "no prefix". */
  readonly fixed: readonly (readonly string[])[];
}

function toSegments(prefix: string): string[] {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  if (trimmed === '') return [];
  const segs = trimmed.split('/');
  // '.' and '..' are refused on every request (dot-segments.ts): a prefix made of them would answer nothing.
  if (trimmed.length > MAX_PREFIX_LENGTH || !segs.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..')) {
    throw new TypeError(`pathPrefix ${JSON.stringify(prefix)} is not a valid prefix: use 1..${MAX_PREFIX_LENGTH} characters of [A-Za-z0-9._~-] in '/'-separated segments`);
  }
  return segs;
}

export function makePrefixPolicy(option: PathPrefixOption): PrefixPolicy {
  if (option === '*') return { any: true, fixed: [] };
  if (option === undefined) return { any: false, fixed: [[]] };
  const list = typeof option === 'string' ? [option] : [...option];
  if (list.length === 0) throw new TypeError('pathPrefix: an empty list would answer nothing; omit it for "no prefix"');
  // Longest first, so 'a/b' is tried before 'a'.
  const fixed = list.map(toSegments).sort((x, y) => y.length - x.length);
  return { any: false, fixed };
}

/** True when `segs` (taken as a prefix under '*') is one we are willing to accept. */
export function isAcceptablePrefix(segs: readonly string[]): boolean {
  let length = segs.length - 1;
  for (const s of segs) {
    if (!SEGMENT.test(s)) return false;
    length += s.length;
  }
  return length <= MAX_PREFIX_LENGTH;
}

/** The value a client should use as its pathPrefix (for GET /v1/me), or null. */
export function advertisedPrefix(policy: PrefixPolicy): string | null {
  if (policy.any || policy.fixed.length !== 1 || policy.fixed[0].length === 0) return null;
  return policy.fixed[0].join('/');
}
