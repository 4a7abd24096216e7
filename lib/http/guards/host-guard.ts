// The Host check: a DNS-rebinding page reaches a loopback server under the
// attacker's own name (`Host: attacker.example:8100`), so its answers are
// same-origin to the page and readable. Answering only names we know breaks
// that: loopback addresses and `localhost` on the port the request actually
// arrived on, plus names the operator lists in `allowedHosts`.
//
// HTTP/2 names the target in the `:authority` pseudo-header instead (RFC 9113
// 8.3.1); Host is only its stand-in when `:authority` is absent. The name an
// HTTP/2 request is judged by is therefore its `:authority`, under the same
// rules as a Host, and a Host that names another entity than `:authority`
// makes the request malformed (the RFC's "SHOULD treat as malformed"): it is
// refused whatever the policy, so no code behind this guard that reads
// `req.headers.host` can be steered by a name that was never checked.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { type HttpStatusError, httpError } from '../protocol/http-error';
import { headerOf } from '../protocol/raw-headers';

/**
 * `allowedHosts` entries: 'name' (any port), 'name:port', '.example.com'
 * (that domain and its subdomains, any port), an IP literal ('10.0.0.5',
 * '[fd00::1]:8100'), or the single entry '*' (no Host check at all).
 */
export type AllowedHostsOption = readonly string[] | '*' | undefined;

interface HostEntry {
  /** Lower-case name; for a suffix entry, without the leading dot. */
  name: string;
  suffix: boolean;
  /** null: any port. */
  port: number | null;
}

export interface HostPolicy {
  /** false: every Host is answered (token mode without allowedHosts, or '*'). */
  readonly enforced: boolean;
  readonly entries: readonly HostEntry[];
  /** The last Host value that passed, and the ports it arrived on (see hostProblem). */
  lastPassed?: PassedHost;
}

/** A Host that passed: the decision depends on nothing else, so the same three pass again. */
interface PassedHost {
  raw: string;
  local: number | undefined;
  implied: number;
}

interface ParsedHost {
  name: string;
  port: number | null;
}

const NAME = /^(?:\[[0-9a-f:.]+\]|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*)$/;

/** Splits `name[:port]` / `[v6][:port]`; lower-cases the name. null when malformed. */
export function parseHost(value: string): ParsedHost | null {
  const v = value.trim().toLowerCase();
  let name: string;
  let portText: string | undefined;
  if (v.startsWith('[')) {
    // Without a ']' (end -1) the name is '' and the rest starts with '[': refused below.
    const end = v.indexOf(']');
    name = v.slice(0, end + 1);
    const rest = v.slice(end + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return null;
      portText = rest.slice(1);
    }
  } else {
    // A bare IPv6 address (more than one ':') fails the port pattern below.
    const colon = v.indexOf(':');
    name = colon === -1 ? v : v.slice(0, colon);
    portText = colon === -1 ? undefined : v.slice(colon + 1);
  }
  if (name.length > 253 || !NAME.test(name)) return null; // NAME refuses '' too
  let port: number | null = null;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText)) return null;
    port = Number(portText);
    if (port > 65535) return null;
  }
  return { name, port };
}

function isLoopbackName(name: string): boolean {
  if (name === 'localhost' || name === '[::1]') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255);
}

export function makeHostPolicy(option: AllowedHostsOption, noAuth: boolean): HostPolicy {
  if (option === '*') return { enforced: false, entries: [] };
  if (option === undefined) return { enforced: noAuth, entries: [] };
  if (!Array.isArray(option)) throw new TypeError("allowedHosts must be a list of host names or '*'");
  const entries = option.map((raw): HostEntry => {
    if (typeof raw !== 'string') throw new TypeError(`allowedHosts: ${String(raw)} is not a string`);
    if (raw === '*') throw new TypeError("allowedHosts: '*' must be given alone (allowedHosts: '*'), not in a list");
    const suffix = raw.startsWith('.');
    const parsed = parseHost(suffix ? raw.slice(1) : raw);
    if (parsed === null) throw new TypeError(`allowedHosts: ${JSON.stringify(raw)} is not a host name, name:port, .domain or IP literal`);
    return { name: parsed.name, suffix, port: parsed.port };
  });
  // Listing names also turns the check on in token mode: the option is the opt-in.
  return { enforced: true, entries };
}

/** The port the request arrived on, which a Host without a port implies too. */
function arrivalPort(req: IncomingMessage): { local: number | undefined; implied: number } {
  const socket = req.socket as (TLSSocket & { encrypted?: boolean }) | undefined;
  return { local: socket?.localPort, implied: socket?.encrypted ? 443 : 80 };
}

/** True when `host`, arrived on `local` (implying `implied` without a port), is served under `policy`. */
function passes(host: ParsedHost, local: number | undefined, implied: number, policy: HostPolicy): boolean {
  const port = host.port ?? implied;
  if (isLoopbackName(host.name) && (local === undefined || port === local)) return true;
  for (const e of policy.entries) {
    if (e.port !== null && e.port !== port) continue;
    if (e.suffix ? host.name === e.name || host.name.endsWith(`.${e.name}`) : host.name === e.name) return true;
  }
  return false;
}

/** True when the two authorities name the same host and port (RFC 9113 8.3.1 compares them normalized). */
function sameAuthority(authority: string, host: string, implied: number): boolean {
  if (authority === host) return true;
  const a = parseHost(authority);
  const h = parseHost(host);
  return a !== null && h !== null && a.name === h.name && (a.port ?? implied) === (h.port ?? implied);
}

/** The refusal for `req`'s Host (`:authority` on HTTP/2) under `policy`, or null. */
export function hostProblem(req: IncomingMessage, policy: HostPolicy): HttpStatusError | null {
  const host = headerOf(req, 'host');
  // Only HTTP/2 has pseudo-headers (an HTTP/1 field name cannot start with ':').
  const authority = req.httpVersionMajor === 2 ? headerOf(req, ':authority') : undefined;
  const raw = authority ?? host;
  if (raw === undefined) {
    // HTTP/1.1 requires Host (RFC 9112 3.2); Node's own check is turned off
    // in the CLI's server so that this answer carries the envelope.
    if (req.httpVersion === '1.1') return httpError(400, 'invalid argument: missing Host header (required by HTTP/1.1)');
    return policy.enforced ? httpError(421, 'invalid argument: this server answers only requests that name it in a Host header') : null;
  }
  // Checked before the memo below: the memo holds a name that passed, and a
  // contradicting Host must not ride on it.
  if (authority !== undefined && host !== undefined && !sameAuthority(authority, host, arrivalPort(req).implied)) {
    return httpError(400, `invalid argument: Host ${JSON.stringify(host.slice(0, 100))} names another server than `
      + `:authority ${JSON.stringify(authority.slice(0, 100))} (a malformed HTTP/2 request, RFC 9113 8.3.1)`);
  }
  if (!policy.enforced) return null;
  const { local, implied } = arrivalPort(req);
  // Every request of a client names the same Host on the same connection, so
  // the last one that passed is remembered and compared as it is: parsing
  // and matching it again was most of this guard's cost per request. An
  // HTTP/1 Host and an HTTP/2 :authority share the memo: it holds the judged
  // name, whichever field carried it, and both are judged by the same rules.
  const last = policy.lastPassed;
  // Stryker disable next-line ConditionalExpression: a memo; without it the checks below pass the same Host again
  if (last !== undefined && last.raw === raw && last.local === local && last.implied === implied) return null;
  const parsed = parseHost(raw);
  if (parsed !== null && passes(parsed, local, implied, policy)) {
    // Stryker disable next-line ObjectLiteral: an empty memo matches nothing, and the checks run as before
    policy.lastPassed = { raw, local, implied };
    return null;
  }
  return httpError(421, `invalid argument: host ${JSON.stringify(raw.slice(0, 100))} is not served here: `
    + 'only loopback addresses and localhost on this port, and names in allowedHosts (--allowed-hosts), are answered');
}
