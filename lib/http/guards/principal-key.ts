// A stable string naming the caller, for state the server keeps per
// principal (idempotency answers, page-token bindings). Principals are
// whatever `authenticate` returns, so this is deliberately conservative:
// a string `sub` (BoxLite's stable principal id) or `id` names it; any other
// JSON-serializable value is named by a digest of its canonical JSON, so two
// equal principals share state and different ones never do; anything else
// (functions, cycles) is named by object identity, which can only make two
// requests look like different callers, never the reverse.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../protocol/canonical-json';

const identities = new WeakMap<object, string>();
let nextIdentity = 0;

export function principalKey(principal: unknown): string {
  if (typeof principal === 'object' && principal !== null) {
    const p = principal as { sub?: unknown; id?: unknown };
    if (typeof p.sub === 'string') return `sub:${p.sub}`;
    if (typeof p.id === 'string') return `id:${p.id}`;
  }
  try {
    const json = canonicalJson(principal);
    if (json !== undefined) return `json:${createHash('sha256').update(json).digest('base64url')}`;
  } catch {
    // a cycle or a BigInt: fall through to identity
  }
  if ((typeof principal === 'object' && principal !== null) || typeof principal === 'function') {
    let id = identities.get(principal);
    if (id === undefined) {
      id = `object:${nextIdentity++}`;
      identities.set(principal, id);
    }
    return id;
  }
  return `value:${String(principal)}`;
}
