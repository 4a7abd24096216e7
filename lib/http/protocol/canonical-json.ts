// JSON with object keys sorted at every level, so two bodies that mean the
// same thing ({"a":1,"b":2} and {"b":2,"a":1}) serialize to the same text.
// Used to fingerprint request bodies and principals. Throws on cycles and
// BigInt, as JSON.stringify does.

function sortKeys(value: unknown, seen: Set<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) throw new TypeError('canonicalJson: cyclic value');
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map((v) => sortKeys(v, seen));
  } else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    out = value; // Dates and the like: JSON.stringify calls toJSON itself
  } else {
    // No prototype: a body's own "__proto__" key must stay a plain key.
    const sorted: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key], seen);
    out = sorted;
  }
  seen.delete(value);
  return out;
}

/** Canonical JSON text of `value`, or undefined for values JSON cannot carry (undefined, functions). */
export function canonicalJson(value: unknown): string | undefined {
  return JSON.stringify(sortKeys(value, new Set()));
}
