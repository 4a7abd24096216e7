// @ts-nocheck
// The full HTTP answer for an error: status, headers and BoxLite's envelope
// (OpenAPI `ErrorModel`): {"error":{"message","type","code","request_id"?}}.
// Framework-free: callers write it with whatever response API they have.
function stryNS_9fa48() {
  var g = typeof globalThis === 'object' && globalThis && globalThis.Math === Math && globalThis || new Function("return this")();
  var ns = g.__stryker__ || (g.__stryker__ = {});
  if (ns.activeMutant === undefined && g.process && g.process.env && g.process.env.__STRYKER_ACTIVE_MUTANT__) {
    ns.activeMutant = g.process.env.__STRYKER_ACTIVE_MUTANT__;
  }
  function retrieveNS() {
    return ns;
  }
  stryNS_9fa48 = retrieveNS;
  return retrieveNS();
}
stryNS_9fa48();
function stryCov_9fa48() {
  var ns = stryNS_9fa48();
  var cov = ns.mutantCoverage || (ns.mutantCoverage = {
    static: {},
    perTest: {}
  });
  function cover() {
    var c = cov.static;
    if (ns.currentTestId) {
      c = cov.perTest[ns.currentTestId] = cov.perTest[ns.currentTestId] || {};
    }
    var a = arguments;
    for (var i = 0; i < a.length; i++) {
      c[a[i]] = (c[a[i]] || 0) + 1;
    }
  }
  stryCov_9fa48 = cover;
  cover.apply(null, arguments);
}
function stryMutAct_9fa48(id) {
  var ns = stryNS_9fa48();
  function isActive(id) {
    if (ns.activeMutant === id) {
      if (ns.hitCount !== void 0 && ++ns.hitCount > ns.hitLimit) {
        throw new Error('Stryker: Hit count limit reached (' + ns.hitCount + ')');
      }
      return true;
    }
    return false;
  }
  stryMutAct_9fa48 = isActive;
  return isActive(id);
}
import { type ErrorClassification, classifyError } from './classify';
import { httpReasonPhrase } from './http-table';
export interface ErrorResponseOptions {
  /**
   * Echoed as `X-Request-Id` and `error.request_id`. Ignored unless it is a
   * non-empty string of printable ASCII, at most 256 characters (anything
   * else could not be sent as a header value).
   */
  requestId?: string;
  /**
   * true (default): messages pass through verbatim, as BoxLite's own servers
   * do. false: the message of a 5xx answer is replaced by its reason phrase
   * ("Internal Server Error"), so engine internals (paths, ids) stay private.
   */
  exposeInternal?: boolean;
  /** `Retry-After` seconds on retryable answers (429, 503). Default 1. */
  retryAfterSeconds?: number;
}
export interface ErrorEnvelope {
  error: {
    message: string;
    type: string;
    code: string;
    request_id?: string;
  };
}
export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: ErrorEnvelope;
}
const DEFAULT_RETRY_AFTER_SECONDS = 1;
const MAX_REQUEST_ID_LENGTH = 256;

/** Classify `err` and build the answer for it. Never throws. */
export function errorResponse(err: unknown, options?: ErrorResponseOptions): ErrorResponse {
  if (stryMutAct_9fa48("285")) {
    {}
  } else {
    stryCov_9fa48("285");
    return errorResponseFor(classifyError(err), options);
  }
}

/** The answer for an existing classification (to log and answer from one result). */
export function errorResponseFor(c: ErrorClassification, options?: ErrorResponseOptions): ErrorResponse {
  if (stryMutAct_9fa48("286")) {
    {}
  } else {
    stryCov_9fa48("286");
    const requestId = usableRequestId(stryMutAct_9fa48("287") ? options.requestId : (stryCov_9fa48("287"), options?.requestId));
    const hideMessage = stryMutAct_9fa48("290") ? options?.exposeInternal === false || c.status >= 500 : stryMutAct_9fa48("289") ? false : stryMutAct_9fa48("288") ? true : (stryCov_9fa48("288", "289", "290"), (stryMutAct_9fa48("292") ? options?.exposeInternal !== false : stryMutAct_9fa48("291") ? true : (stryCov_9fa48("291", "292"), (stryMutAct_9fa48("293") ? options.exposeInternal : (stryCov_9fa48("293"), options?.exposeInternal)) === (stryMutAct_9fa48("294") ? true : (stryCov_9fa48("294"), false)))) && (stryMutAct_9fa48("297") ? c.status < 500 : stryMutAct_9fa48("296") ? c.status > 500 : stryMutAct_9fa48("295") ? true : (stryCov_9fa48("295", "296", "297"), c.status >= 500)));
    const headers: Record<string, string> = stryMutAct_9fa48("298") ? {} : (stryCov_9fa48("298"), {
      'Content-Type': stryMutAct_9fa48("299") ? "" : (stryCov_9fa48("299"), 'application/json')
    });
    if (stryMutAct_9fa48("302") ? requestId === undefined : stryMutAct_9fa48("301") ? false : stryMutAct_9fa48("300") ? true : (stryCov_9fa48("300", "301", "302"), requestId !== undefined)) headers[stryMutAct_9fa48("303") ? "" : (stryCov_9fa48("303"), 'X-Request-Id')] = requestId;
    if (stryMutAct_9fa48("305") ? false : stryMutAct_9fa48("304") ? true : (stryCov_9fa48("304", "305"), c.retryable)) headers[stryMutAct_9fa48("306") ? "" : (stryCov_9fa48("306"), 'Retry-After')] = String(retryAfter(stryMutAct_9fa48("307") ? options.retryAfterSeconds : (stryCov_9fa48("307"), options?.retryAfterSeconds)));
    const error: ErrorEnvelope['error'] = stryMutAct_9fa48("308") ? {} : (stryCov_9fa48("308"), {
      message: hideMessage ? httpReasonPhrase(c.status) : c.message,
      type: c.type,
      code: c.code
    });
    if (stryMutAct_9fa48("311") ? requestId === undefined : stryMutAct_9fa48("310") ? false : stryMutAct_9fa48("309") ? true : (stryCov_9fa48("309", "310", "311"), requestId !== undefined)) error.request_id = requestId;
    return stryMutAct_9fa48("312") ? {} : (stryCov_9fa48("312"), {
      status: c.status,
      headers,
      body: stryMutAct_9fa48("313") ? {} : (stryCov_9fa48("313"), {
        error
      })
    });
  }
}

/** The envelope as JSON text (lone surrogates come out escaped, never throws). */
export function serializeErrorBody(body: ErrorEnvelope): string {
  if (stryMutAct_9fa48("314")) {
    {}
  } else {
    stryCov_9fa48("314");
    return JSON.stringify(body);
  }
}
function usableRequestId(id: unknown): string | undefined {
  if (stryMutAct_9fa48("315")) {
    {}
  } else {
    stryCov_9fa48("315");
    if (stryMutAct_9fa48("318") ? (typeof id !== 'string' || id.length === 0) && id.length > MAX_REQUEST_ID_LENGTH : stryMutAct_9fa48("317") ? false : stryMutAct_9fa48("316") ? true : (stryCov_9fa48("316", "317", "318"), (stryMutAct_9fa48("320") ? typeof id !== 'string' && id.length === 0 : stryMutAct_9fa48("319") ? false : (stryCov_9fa48("319", "320"), (stryMutAct_9fa48("322") ? typeof id === 'string' : stryMutAct_9fa48("321") ? false : (stryCov_9fa48("321", "322"), typeof id !== (stryMutAct_9fa48("323") ? "" : (stryCov_9fa48("323"), 'string')))) || (stryMutAct_9fa48("325") ? id.length !== 0 : stryMutAct_9fa48("324") ? false : (stryCov_9fa48("324", "325"), id.length === 0)))) || (stryMutAct_9fa48("328") ? id.length <= MAX_REQUEST_ID_LENGTH : stryMutAct_9fa48("327") ? id.length >= MAX_REQUEST_ID_LENGTH : stryMutAct_9fa48("326") ? false : (stryCov_9fa48("326", "327", "328"), id.length > MAX_REQUEST_ID_LENGTH)))) return undefined;
    for (let i = 0; stryMutAct_9fa48("331") ? i >= id.length : stryMutAct_9fa48("330") ? i <= id.length : stryMutAct_9fa48("329") ? false : (stryCov_9fa48("329", "330", "331"), i < id.length); stryMutAct_9fa48("332") ? i-- : (stryCov_9fa48("332"), i++)) {
      if (stryMutAct_9fa48("333")) {
        {}
      } else {
        stryCov_9fa48("333");
        const c = id.charCodeAt(i);
        if (stryMutAct_9fa48("336") ? c < 0x20 && c > 0x7e : stryMutAct_9fa48("335") ? false : stryMutAct_9fa48("334") ? true : (stryCov_9fa48("334", "335", "336"), (stryMutAct_9fa48("339") ? c >= 0x20 : stryMutAct_9fa48("338") ? c <= 0x20 : stryMutAct_9fa48("337") ? false : (stryCov_9fa48("337", "338", "339"), c < 0x20)) || (stryMutAct_9fa48("342") ? c <= 0x7e : stryMutAct_9fa48("341") ? c >= 0x7e : stryMutAct_9fa48("340") ? false : (stryCov_9fa48("340", "341", "342"), c > 0x7e)))) return undefined;
      }
    }
    return id;
  }
}
function retryAfter(seconds: unknown): number {
  if (stryMutAct_9fa48("343")) {
    {}
  } else {
    stryCov_9fa48("343");
    return (stryMutAct_9fa48("346") ? typeof seconds === 'number' && Number.isInteger(seconds) || seconds >= 0 : stryMutAct_9fa48("345") ? false : stryMutAct_9fa48("344") ? true : (stryCov_9fa48("344", "345", "346"), (stryMutAct_9fa48("348") ? typeof seconds === 'number' || Number.isInteger(seconds) : stryMutAct_9fa48("347") ? true : (stryCov_9fa48("347", "348"), (stryMutAct_9fa48("350") ? typeof seconds !== 'number' : stryMutAct_9fa48("349") ? true : (stryCov_9fa48("349", "350"), typeof seconds === (stryMutAct_9fa48("351") ? "" : (stryCov_9fa48("351"), 'number')))) && Number.isInteger(seconds))) && (stryMutAct_9fa48("354") ? seconds < 0 : stryMutAct_9fa48("353") ? seconds > 0 : stryMutAct_9fa48("352") ? true : (stryCov_9fa48("352", "353", "354"), seconds >= 0)))) ? seconds : DEFAULT_RETRY_AFTER_SECONDS;
  }
}