// The request method as a metric label: the standard methods as sent, any
// other as '_OTHER' (as the HTTP semantic conventions ask), so a client
// cannot grow a label's cardinality by inventing methods.
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

export function methodLabel(method: string): string {
  return KNOWN_METHODS.has(method) ? method : '_OTHER';
}
