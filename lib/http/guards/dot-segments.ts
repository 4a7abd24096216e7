// `.` and `..` are never a `{prefix}` segment, a box id or an execution id.
// Node does not normalize request paths, so `/v1/../boxes` arrives as is; a
// proxy or client library in front of us might normalize it (or its
// percent-encoded form `%2e%2e`) differently than we route it. Refusing such
// paths outright removes the ambiguity: the same URL can never mean two
// different resources to two different components.
import { invalid } from '../protocol/validate';
import type { HttpStatusError } from '../protocol/http-error';

/**
 * True when `seg`, percent-decoded, holds a `.` or `..` component: the plain
 * `..`, `%2e%2E`, and ids like `..%2Fx` or `a\..` (browsers and some proxies
 * treat `\` as `/`, so `a\..` could be normalized away just like `a/..`).
 */
function hasDotComponent(seg: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(seg);
  } catch {
    return false; // malformed escapes are the router's 400
  }
  return decoded.split(/[/\\]/).some((part) => part === '.' || part === '..');
}

/** The 400 for a path after `/v1/` holding a dot segment, or null. Cheap when there is no dot at all. */
export function dotSegmentProblem(afterV1: string): HttpStatusError | null {
  // Fast path: no '.' and no '%' means no dot segment in any spelling. Only
  // speed depends on it (the loop below finds nothing in such a path either).
  // Stryker disable next-line ConditionalExpression,StringLiteral: a fast path; without it the loop returns the same null
  if (!afterV1.includes('.') && !afterV1.includes('%')) return null;
  for (const seg of afterV1.split('/')) {
    if (hasDotComponent(seg)) {
      return invalid(`path segment ${JSON.stringify(seg.slice(0, 64))} is not allowed: '.' and '..' are never a prefix, box id or execution id`);
    }
  }
  return null;
}
