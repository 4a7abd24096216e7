// Path matching for BoxLite's REST API v1. Pure functions over the path, no
// allocation beyond one split: the router runs on every request, including
// the error path the benchmark measures.
import { invalid } from '../protocol/validate';
import { type PrefixPolicy, isAcceptablePrefix } from './prefix';

export type RouteName =
  | 'config' | 'me'
  | 'boxes' | 'box' | 'box.start' | 'box.stop' | 'box.exec' | 'box.metrics' | 'box.files'
  | 'execution' | 'execution.attach' | 'execution.signal' | 'execution.resize'
  | 'metrics'
  | 'unsupported';

/** Scopes in BoxLite's vocabulary (`Principal.scopes`), handed to `authorize`. */
export type Action = 'box:read' | 'box:write' | 'box:exec' | 'box:delete' | 'me:read';

export interface RouteMatch {
  name: RouteName;
  /** The prefix as sent ('' when none). */
  prefix: string;
  boxId?: string;
  execId?: string;
  /** For `unsupported`: what is not supported, for the message. */
  feature?: string;
}

export const MAX_ID_LENGTH = 128;

const METHODS: Readonly<Record<Exclude<RouteName, 'unsupported'>, Readonly<Record<string, Action | null>>>> = {
  config: { GET: null, HEAD: null },
  me: { GET: 'me:read', HEAD: 'me:read' },
  boxes: { GET: 'box:read', HEAD: 'box:read', POST: 'box:write' },
  box: { GET: 'box:read', HEAD: 'box:read', DELETE: 'box:delete' },
  'box.start': { POST: 'box:write' },
  'box.stop': { POST: 'box:write' },
  'box.exec': { POST: 'box:exec' },
  'box.metrics': { GET: 'box:read', HEAD: 'box:read' },
  'box.files': { GET: 'box:read', PUT: 'box:write' },
  execution: { GET: 'box:read', HEAD: 'box:read', DELETE: 'box:exec' },
  'execution.attach': { GET: 'box:exec' },
  'execution.signal': { POST: 'box:exec' },
  'execution.resize': { POST: 'box:exec' },
  metrics: { GET: 'box:read', HEAD: 'box:read' },
};

/** The scope `method` needs on `name`: an Action, null (open), or undefined (method not allowed). */
export function actionFor(name: RouteName, method: string): Action | null | undefined {
  if (name === 'unsupported') return 'box:read';
  const methods = METHODS[name];
  return Object.prototype.hasOwnProperty.call(methods, method) ? methods[method] : undefined;
}

export function allowedMethods(name: RouteName): string[] {
  return name === 'unsupported' ? [] : Object.keys(METHODS[name]);
}

function decodeId(raw: string, what: string): string {
  let id = raw;
  try {
    if (raw.includes('%')) id = decodeURIComponent(raw);
  } catch {
    throw invalid(`${what} is not valid percent-encoding: ${JSON.stringify(raw.slice(0, 64))}`);
  }
  if (id.length > MAX_ID_LENGTH) throw invalid(`${what} must be at most ${MAX_ID_LENGTH} characters (got ${id.length})`);
  if (id.length === 0) throw invalid(`${what} must not be empty`);
  return id;
}

// Maps, not object literals: path segments are caller-controlled and must
// never resolve to an Object.prototype member ("constructor", "__proto__").
const UNSUPPORTED_TOP: ReadonlyMap<string, string> = new Map([
  ['volumes', 'managed volumes are not supported by this server (local runtime)'],
  ['images', 'image operations are not supported over this REST API'],
  ['api-keys', 'API key issuance is not supported by this server'],
]);
const UNSUPPORTED_BOX: ReadonlyMap<string, string> = new Map([
  ['snapshots', 'snapshots are not supported by this server (GET /v1/config: snapshots_enabled=false)'],
  ['clone', 'clone is not supported by this server (GET /v1/config: clone_enabled=false)'],
  ['export', 'export is not supported by this server (GET /v1/config: export_enabled=false)'],
  ['network', 'network tunnels are not supported by this server'],
]);

/** The route for the segments after the prefix, or null. */
function matchTail(t: readonly string[], prefix: string): RouteMatch | null {
  const n = t.length;
  const head = t[0];
  if (n === 0) return null;
  if (head !== 'boxes') {
    if (head === 'metrics' && n === 1) return { name: 'metrics', prefix };
    const feature = UNSUPPORTED_TOP.get(head);
    if (feature !== undefined && n <= 3) return { name: 'unsupported', prefix, feature };
    return null;
  }
  if (n === 1) return { name: 'boxes', prefix };
  if (t[1] === '' || n > 5) return null;
  if (n === 2) return { name: 'box', prefix, boxId: decodeId(t[1], 'box id') };
  const sub = t[2];
  if (n === 3) {
    let name: RouteName | undefined;
    switch (sub) {
      case 'start': name = 'box.start'; break;
      case 'stop': name = 'box.stop'; break;
      case 'exec': name = 'box.exec'; break;
      case 'metrics': name = 'box.metrics'; break;
      case 'files': name = 'box.files'; break;
      default: {
        const feature = UNSUPPORTED_BOX.get(sub);
        return feature === undefined ? null : { name: 'unsupported', prefix, feature };
      }
    }
    return { name, prefix, boxId: decodeId(t[1], 'box id') };
  }
  if (sub !== 'executions') {
    const feature = UNSUPPORTED_BOX.get(sub);
    return feature === undefined ? null : { name: 'unsupported', prefix, feature };
  }
  if (t[3] === '') return null;
  if (n === 4) return { name: 'execution', prefix, boxId: decodeId(t[1], 'box id'), execId: decodeId(t[3], 'execution id') };
  let name: RouteName;
  switch (t[4]) {
    case 'attach': name = 'execution.attach'; break;
    case 'signal': name = 'execution.signal'; break;
    case 'resize': name = 'execution.resize'; break;
    default: return null;
  }
  return { name, prefix, boxId: decodeId(t[1], 'box id'), execId: decodeId(t[3], 'execution id') };
}

function startsWith(segs: readonly string[], prefix: readonly string[]): boolean {
  if (prefix.length > segs.length) return false;
  for (let i = 0; i < prefix.length; i++) if (segs[i] !== prefix[i]) return false;
  return true;
}

/**
 * Match the part of the path after `/v1/` (no query). Returns null for an
 * unknown path; throws InvalidArgumentError for a malformed or oversized id.
 */
export function matchRoute(afterV1: string, policy: PrefixPolicy): RouteMatch | null {
  if (afterV1 === 'config') return { name: 'config', prefix: '' };
  if (afterV1 === 'me') return { name: 'me', prefix: '' };
  const segs = afterV1.split('/');
  if (policy.any) {
    for (let k = 0; k < segs.length; k++) {
      if (k > 0 && !isAcceptablePrefix(segs.slice(0, k))) return null;
      const m = matchTail(k === 0 ? segs : segs.slice(k), k === 0 ? '' : segs.slice(0, k).join('/'));
      if (m) return m;
    }
    return null;
  }
  for (const prefix of policy.fixed) {
    if (!startsWith(segs, prefix)) continue;
    const m = matchTail(prefix.length === 0 ? segs : segs.slice(prefix.length), prefix.join('/'));
    if (m) return m;
  }
  return null;
}
