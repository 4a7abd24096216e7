// @ts-nocheck
// BoxLite's HTTP error contract, as data.
//
// The canonical rows are BoxLite's own `BoxliteError::http` table: the status,
// wire `type` and wire `code` a BoxLite server answers for each numeric
// BoxliteErrorCode. BoxLite clients dispatch on `code` (the official REST
// client rebuilds its error variant from it), so the rows must match exactly.
//
// Rows are frozen and shared: classification returns the same row object for
// every error of a kind, and only allocates the small result that carries the
// message.
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
import { STATUS_CODES } from 'node:http';
import { BoxliteErrorCode } from './errors';

/** One HTTP answer shape: status line plus the envelope's `type` and `code`. */
export interface HttpErrorRow {
  readonly status: number;
  /** PascalCase error type, e.g. `NotFoundError` (OpenAPI `ErrorModel.type`). */
  readonly type: string;
  /** snake_case error code clients dispatch on, e.g. `not_found`. */
  readonly code: string;
  /** True when retrying the same request later may succeed (429 and 503). */
  readonly retryable: boolean;
}

/** A canonical row together with the error it belongs to (for docs and tests). */
export interface CanonicalTableEntry extends HttpErrorRow {
  readonly boxliteCode: BoxliteErrorCode;
  /** libboxlite's enumerator name, e.g. `NotFound`. */
  readonly name: string;
  /** The JS class in lib/errors.ts, e.g. `NotFoundError`. */
  readonly className: string;
}

/** Statuses whose answers invite a retry (and get a `Retry-After` header). */
export function isRetryableStatus(status: number): boolean {
  if (stryMutAct_9fa48("478")) {
    {}
  } else {
    stryCov_9fa48("478");
    return stryMutAct_9fa48("481") ? status === 429 && status === 503 : stryMutAct_9fa48("480") ? false : stryMutAct_9fa48("479") ? true : (stryCov_9fa48("479", "480", "481"), (stryMutAct_9fa48("483") ? status !== 429 : stryMutAct_9fa48("482") ? false : (stryCov_9fa48("482", "483"), status === 429)) || (stryMutAct_9fa48("485") ? status !== 503 : stryMutAct_9fa48("484") ? false : (stryCov_9fa48("484", "485"), status === 503)));
  }
}
function row(status: number, type: string, code: string): HttpErrorRow {
  if (stryMutAct_9fa48("486")) {
    {}
  } else {
    stryCov_9fa48("486");
    // Same property order for every row keeps all rows on one hidden class.
    return Object.freeze(stryMutAct_9fa48("487") ? {} : (stryCov_9fa48("487"), {
      status,
      type,
      code,
      retryable: isRetryableStatus(status)
    }));
  }
}
function entry(boxliteCode: BoxliteErrorCode, className: string, r: HttpErrorRow): CanonicalTableEntry {
  if (stryMutAct_9fa48("488")) {
    {}
  } else {
    stryCov_9fa48("488");
    return Object.freeze(stryMutAct_9fa48("489") ? {} : (stryCov_9fa48("489"), {
      boxliteCode,
      name: BoxliteErrorCode[boxliteCode],
      className,
      status: r.status,
      type: r.type,
      code: r.code,
      retryable: r.retryable
    }));
  }
}
export const INTERNAL_ROW = row(500, stryMutAct_9fa48("490") ? "" : (stryCov_9fa48("490"), 'InternalError'), stryMutAct_9fa48("491") ? "" : (stryCov_9fa48("491"), 'internal'));
export const NOT_FOUND_ROW = row(404, stryMutAct_9fa48("492") ? "" : (stryCov_9fa48("492"), 'NotFoundError'), stryMutAct_9fa48("493") ? "" : (stryCov_9fa48("493"), 'not_found'));
export const ALREADY_EXISTS_ROW = row(409, stryMutAct_9fa48("494") ? "" : (stryCov_9fa48("494"), 'AlreadyExistsError'), stryMutAct_9fa48("495") ? "" : (stryCov_9fa48("495"), 'already_exists'));
export const INVALID_STATE_ROW = row(409, stryMutAct_9fa48("496") ? "" : (stryCov_9fa48("496"), 'InvalidStateError'), stryMutAct_9fa48("497") ? "" : (stryCov_9fa48("497"), 'invalid_state'));
export const INVALID_ARGUMENT_ROW = row(400, stryMutAct_9fa48("498") ? "" : (stryCov_9fa48("498"), 'InvalidArgumentError'), stryMutAct_9fa48("499") ? "" : (stryCov_9fa48("499"), 'invalid_argument'));
export const CONFIG_ROW = row(500, stryMutAct_9fa48("500") ? "" : (stryCov_9fa48("500"), 'ConfigError'), stryMutAct_9fa48("501") ? "" : (stryCov_9fa48("501"), 'config_error'));
export const STORAGE_ROW = row(500, stryMutAct_9fa48("502") ? "" : (stryCov_9fa48("502"), 'StorageError'), stryMutAct_9fa48("503") ? "" : (stryCov_9fa48("503"), 'storage_error'));
export const IMAGE_ROW = row(422, stryMutAct_9fa48("504") ? "" : (stryCov_9fa48("504"), 'ImageError'), stryMutAct_9fa48("505") ? "" : (stryCov_9fa48("505"), 'image_pull_failed'));
export const NETWORK_ROW = row(503, stryMutAct_9fa48("506") ? "" : (stryCov_9fa48("506"), 'NetworkError'), stryMutAct_9fa48("507") ? "" : (stryCov_9fa48("507"), 'network_unavailable'));
export const EXECUTION_ROW = row(422, stryMutAct_9fa48("508") ? "" : (stryCov_9fa48("508"), 'ExecutionError'), stryMutAct_9fa48("509") ? "" : (stryCov_9fa48("509"), 'execution_failed'));
export const STOPPED_ROW = row(409, stryMutAct_9fa48("510") ? "" : (stryCov_9fa48("510"), 'StoppedError'), stryMutAct_9fa48("511") ? "" : (stryCov_9fa48("511"), 'stopped'));
export const ENGINE_ROW = row(503, stryMutAct_9fa48("512") ? "" : (stryCov_9fa48("512"), 'EngineError'), stryMutAct_9fa48("513") ? "" : (stryCov_9fa48("513"), 'engine_unavailable'));
export const UNSUPPORTED_ROW = row(400, stryMutAct_9fa48("514") ? "" : (stryCov_9fa48("514"), 'UnsupportedError'), stryMutAct_9fa48("515") ? "" : (stryCov_9fa48("515"), 'unsupported'));
export const DATABASE_ROW = row(500, stryMutAct_9fa48("516") ? "" : (stryCov_9fa48("516"), 'DatabaseError'), stryMutAct_9fa48("517") ? "" : (stryCov_9fa48("517"), 'database_error'));
/** Portal, Rpc and RpcTransport share one wire answer. */
export const UPSTREAM_UNAVAILABLE_ROW = row(503, stryMutAct_9fa48("518") ? "" : (stryCov_9fa48("518"), 'UpstreamUnavailableError'), stryMutAct_9fa48("519") ? "" : (stryCov_9fa48("519"), 'upstream_unavailable'));
export const METADATA_ROW = row(500, stryMutAct_9fa48("520") ? "" : (stryCov_9fa48("520"), 'MetadataError'), stryMutAct_9fa48("521") ? "" : (stryCov_9fa48("521"), 'metadata_error'));
export const RESOURCE_EXHAUSTED_ROW = row(429, stryMutAct_9fa48("522") ? "" : (stryCov_9fa48("522"), 'ResourceExhaustedError'), stryMutAct_9fa48("523") ? "" : (stryCov_9fa48("523"), 'resource_exhausted'));
export const SESSION_REAPED_ROW = row(410, stryMutAct_9fa48("524") ? "" : (stryCov_9fa48("524"), 'SessionReapedError'), stryMutAct_9fa48("525") ? "" : (stryCov_9fa48("525"), 'session_reaped'));

// HTTP-only answers: no BoxliteErrorCode produces them, but BoxLite's servers
// emit them and BoxLite's clients understand them.
export const UNAUTHENTICATED_ROW = row(401, stryMutAct_9fa48("526") ? "" : (stryCov_9fa48("526"), 'AuthError'), stryMutAct_9fa48("527") ? "" : (stryCov_9fa48("527"), 'unauthenticated'));
export const PERMISSION_DENIED_ROW = row(403, stryMutAct_9fa48("528") ? "" : (stryCov_9fa48("528"), 'AuthError'), stryMutAct_9fa48("529") ? "" : (stryCov_9fa48("529"), 'permission_denied'));
export const TIMEOUT_ROW = row(504, stryMutAct_9fa48("530") ? "" : (stryCov_9fa48("530"), 'TimeoutError'), stryMutAct_9fa48("531") ? "" : (stryCov_9fa48("531"), 'timeout'));

/** The HTTP-only rows (401, 403, 504), for the request handler. */
export const HTTP_ONLY_ROWS: readonly HttpErrorRow[] = Object.freeze(stryMutAct_9fa48("532") ? [] : (stryCov_9fa48("532"), [UNAUTHENTICATED_ROW, PERMISSION_DENIED_ROW, TIMEOUT_ROW]));

// The canonical table, boxliteCode 1..21 in order: [code, JS class, row].
const CANONICAL: ReadonlyArray<readonly [BoxliteErrorCode, string, HttpErrorRow]> = stryMutAct_9fa48("533") ? [] : (stryCov_9fa48("533"), [stryMutAct_9fa48("534") ? [] : (stryCov_9fa48("534"), [BoxliteErrorCode.Internal, stryMutAct_9fa48("535") ? "" : (stryCov_9fa48("535"), 'InternalError'), INTERNAL_ROW]), stryMutAct_9fa48("536") ? [] : (stryCov_9fa48("536"), [BoxliteErrorCode.NotFound, stryMutAct_9fa48("537") ? "" : (stryCov_9fa48("537"), 'NotFoundError'), NOT_FOUND_ROW]), stryMutAct_9fa48("538") ? [] : (stryCov_9fa48("538"), [BoxliteErrorCode.AlreadyExists, stryMutAct_9fa48("539") ? "" : (stryCov_9fa48("539"), 'AlreadyExistsError'), ALREADY_EXISTS_ROW]), stryMutAct_9fa48("540") ? [] : (stryCov_9fa48("540"), [BoxliteErrorCode.InvalidState, stryMutAct_9fa48("541") ? "" : (stryCov_9fa48("541"), 'InvalidStateError'), INVALID_STATE_ROW]), stryMutAct_9fa48("542") ? [] : (stryCov_9fa48("542"), [BoxliteErrorCode.InvalidArgument, stryMutAct_9fa48("543") ? "" : (stryCov_9fa48("543"), 'InvalidArgumentError'), INVALID_ARGUMENT_ROW]), stryMutAct_9fa48("544") ? [] : (stryCov_9fa48("544"), [BoxliteErrorCode.Config, stryMutAct_9fa48("545") ? "" : (stryCov_9fa48("545"), 'ConfigError'), CONFIG_ROW]), stryMutAct_9fa48("546") ? [] : (stryCov_9fa48("546"), [BoxliteErrorCode.Storage, stryMutAct_9fa48("547") ? "" : (stryCov_9fa48("547"), 'StorageError'), STORAGE_ROW]), stryMutAct_9fa48("548") ? [] : (stryCov_9fa48("548"), [BoxliteErrorCode.Image, stryMutAct_9fa48("549") ? "" : (stryCov_9fa48("549"), 'ImageError'), IMAGE_ROW]), stryMutAct_9fa48("550") ? [] : (stryCov_9fa48("550"), [BoxliteErrorCode.Network, stryMutAct_9fa48("551") ? "" : (stryCov_9fa48("551"), 'NetworkError'), NETWORK_ROW]), stryMutAct_9fa48("552") ? [] : (stryCov_9fa48("552"), [BoxliteErrorCode.Execution, stryMutAct_9fa48("553") ? "" : (stryCov_9fa48("553"), 'ExecutionError'), EXECUTION_ROW]), stryMutAct_9fa48("554") ? [] : (stryCov_9fa48("554"), [BoxliteErrorCode.Stopped, stryMutAct_9fa48("555") ? "" : (stryCov_9fa48("555"), 'StoppedError'), STOPPED_ROW]), stryMutAct_9fa48("556") ? [] : (stryCov_9fa48("556"), [BoxliteErrorCode.Engine, stryMutAct_9fa48("557") ? "" : (stryCov_9fa48("557"), 'EngineError'), ENGINE_ROW]), stryMutAct_9fa48("558") ? [] : (stryCov_9fa48("558"), [BoxliteErrorCode.Unsupported, stryMutAct_9fa48("559") ? "" : (stryCov_9fa48("559"), 'UnsupportedError'), UNSUPPORTED_ROW]), stryMutAct_9fa48("560") ? [] : (stryCov_9fa48("560"), [BoxliteErrorCode.Database, stryMutAct_9fa48("561") ? "" : (stryCov_9fa48("561"), 'DatabaseError'), DATABASE_ROW]), stryMutAct_9fa48("562") ? [] : (stryCov_9fa48("562"), [BoxliteErrorCode.Portal, stryMutAct_9fa48("563") ? "" : (stryCov_9fa48("563"), 'PortalError'), UPSTREAM_UNAVAILABLE_ROW]), stryMutAct_9fa48("564") ? [] : (stryCov_9fa48("564"), [BoxliteErrorCode.Rpc, stryMutAct_9fa48("565") ? "" : (stryCov_9fa48("565"), 'RpcError'), UPSTREAM_UNAVAILABLE_ROW]), stryMutAct_9fa48("566") ? [] : (stryCov_9fa48("566"), [BoxliteErrorCode.RpcTransport, stryMutAct_9fa48("567") ? "" : (stryCov_9fa48("567"), 'RpcTransportError'), UPSTREAM_UNAVAILABLE_ROW]), stryMutAct_9fa48("568") ? [] : (stryCov_9fa48("568"), [BoxliteErrorCode.Metadata, stryMutAct_9fa48("569") ? "" : (stryCov_9fa48("569"), 'MetadataError'), METADATA_ROW]), stryMutAct_9fa48("570") ? [] : (stryCov_9fa48("570"), [BoxliteErrorCode.UnsupportedEngine, stryMutAct_9fa48("571") ? "" : (stryCov_9fa48("571"), 'UnsupportedEngineError'), UNSUPPORTED_ROW]), stryMutAct_9fa48("572") ? [] : (stryCov_9fa48("572"), [BoxliteErrorCode.ResourceExhausted, stryMutAct_9fa48("573") ? "" : (stryCov_9fa48("573"), 'ResourceExhaustedError'), RESOURCE_EXHAUSTED_ROW]), stryMutAct_9fa48("574") ? [] : (stryCov_9fa48("574"), [BoxliteErrorCode.SessionReaped, stryMutAct_9fa48("575") ? "" : (stryCov_9fa48("575"), 'SessionReapedError'), SESSION_REAPED_ROW])]);

/** BoxLite's canonical table, boxliteCode 1..21 in order. */
export const CANONICAL_HTTP_TABLE: readonly CanonicalTableEntry[] = Object.freeze(CANONICAL.map(stryMutAct_9fa48("576") ? () => undefined : (stryCov_9fa48("576"), ([code, className, r]) => entry(code, className, r))));

// Dense array indexed by boxliteCode: one bounds check and one load on the
// classifier's hot path. Index 0 (Ok) is not an error, so it answers internal.
const ROW_BY_CODE: readonly HttpErrorRow[] = Object.freeze(stryMutAct_9fa48("577") ? [] : (stryCov_9fa48("577"), [INTERNAL_ROW, ...CANONICAL.map(stryMutAct_9fa48("578") ? () => undefined : (stryCov_9fa48("578"), ([,, r]) => r))]));
const MAX_BOXLITE_CODE = CANONICAL_HTTP_TABLE.length;

/**
 * The canonical row for a numeric BoxLite code. Numbers outside 1..21
 * (including 0 = Ok, fractions and NaN) answer 500 internal.
 */
export function httpRowForBoxliteCode(boxliteCode: number): HttpErrorRow {
  if (stryMutAct_9fa48("579")) {
    {}
  } else {
    stryCov_9fa48("579");
    if (stryMutAct_9fa48("582") ? boxliteCode >= 1 && boxliteCode <= MAX_BOXLITE_CODE || (boxliteCode | 0) === boxliteCode : stryMutAct_9fa48("581") ? false : stryMutAct_9fa48("580") ? true : (stryCov_9fa48("580", "581", "582"), (stryMutAct_9fa48("584") ? boxliteCode >= 1 || boxliteCode <= MAX_BOXLITE_CODE : stryMutAct_9fa48("583") ? true : (stryCov_9fa48("583", "584"), (stryMutAct_9fa48("587") ? boxliteCode < 1 : stryMutAct_9fa48("586") ? boxliteCode > 1 : stryMutAct_9fa48("585") ? true : (stryCov_9fa48("585", "586", "587"), boxliteCode >= 1)) && (stryMutAct_9fa48("590") ? boxliteCode > MAX_BOXLITE_CODE : stryMutAct_9fa48("589") ? boxliteCode < MAX_BOXLITE_CODE : stryMutAct_9fa48("588") ? true : (stryCov_9fa48("588", "589", "590"), boxliteCode <= MAX_BOXLITE_CODE)))) && (stryMutAct_9fa48("592") ? (boxliteCode | 0) !== boxliteCode : stryMutAct_9fa48("591") ? true : (stryCov_9fa48("591", "592"), (boxliteCode | 0) === boxliteCode)))) {
      if (stryMutAct_9fa48("593")) {
        {}
      } else {
        stryCov_9fa48("593");
        return ROW_BY_CODE[boxliteCode];
      }
    }
    return INTERNAL_ROW;
  }
}

// Bare HTTP statuses (http-errors, body-parser, a proxy's answer). These carry
// no BoxLite code, so the wire code is chosen from the codes BoxLite clients
// already know: the official client turns an unknown `code` into
// "internal error: HTTP 413 ...", which would tell the caller the server broke
// when the caller sent a bad request. The status line itself is always kept.
const STATUS_OVERRIDES: ReadonlyArray<readonly [number, string, string]> = stryMutAct_9fa48("594") ? [] : (stryCov_9fa48("594"), [stryMutAct_9fa48("595") ? [] : (stryCov_9fa48("595"), [400, stryMutAct_9fa48("596") ? "" : (stryCov_9fa48("596"), 'InvalidArgumentError'), stryMutAct_9fa48("597") ? "" : (stryCov_9fa48("597"), 'invalid_argument')]), stryMutAct_9fa48("598") ? [] : (stryCov_9fa48("598"), [401, stryMutAct_9fa48("599") ? "" : (stryCov_9fa48("599"), 'AuthError'), stryMutAct_9fa48("600") ? "" : (stryCov_9fa48("600"), 'unauthenticated')]), stryMutAct_9fa48("601") ? [] : (stryCov_9fa48("601"), [403, stryMutAct_9fa48("602") ? "" : (stryCov_9fa48("602"), 'AuthError'), stryMutAct_9fa48("603") ? "" : (stryCov_9fa48("603"), 'permission_denied')]), stryMutAct_9fa48("604") ? [] : (stryCov_9fa48("604"), [404, stryMutAct_9fa48("605") ? "" : (stryCov_9fa48("605"), 'NotFoundError'), stryMutAct_9fa48("606") ? "" : (stryCov_9fa48("606"), 'not_found')]), stryMutAct_9fa48("607") ? [] : (stryCov_9fa48("607"), [405, stryMutAct_9fa48("608") ? "" : (stryCov_9fa48("608"), 'UnsupportedError'), stryMutAct_9fa48("609") ? "" : (stryCov_9fa48("609"), 'unsupported')]), // the resource does not support that method
stryMutAct_9fa48("610") ? [] : (stryCov_9fa48("610"), [408, stryMutAct_9fa48("611") ? "" : (stryCov_9fa48("611"), 'TimeoutError'), stryMutAct_9fa48("612") ? "" : (stryCov_9fa48("612"), 'timeout')]), stryMutAct_9fa48("613") ? [] : (stryCov_9fa48("613"), [409, stryMutAct_9fa48("614") ? "" : (stryCov_9fa48("614"), 'InvalidStateError'), stryMutAct_9fa48("615") ? "" : (stryCov_9fa48("615"), 'invalid_state')]), // BoxLite's client reads a bare 409 the same way
stryMutAct_9fa48("616") ? [] : (stryCov_9fa48("616"), [410, stryMutAct_9fa48("617") ? "" : (stryCov_9fa48("617"), 'SessionReapedError'), stryMutAct_9fa48("618") ? "" : (stryCov_9fa48("618"), 'session_reaped')]), // BoxLite's only 410
stryMutAct_9fa48("619") ? [] : (stryCov_9fa48("619"), [429, stryMutAct_9fa48("620") ? "" : (stryCov_9fa48("620"), 'ResourceExhaustedError'), stryMutAct_9fa48("621") ? "" : (stryCov_9fa48("621"), 'resource_exhausted')]), stryMutAct_9fa48("622") ? [] : (stryCov_9fa48("622"), [500, stryMutAct_9fa48("623") ? "" : (stryCov_9fa48("623"), 'InternalError'), stryMutAct_9fa48("624") ? "" : (stryCov_9fa48("624"), 'internal')]), stryMutAct_9fa48("625") ? [] : (stryCov_9fa48("625"), [501, stryMutAct_9fa48("626") ? "" : (stryCov_9fa48("626"), 'UnsupportedError'), stryMutAct_9fa48("627") ? "" : (stryCov_9fa48("627"), 'unsupported')]), stryMutAct_9fa48("628") ? [] : (stryCov_9fa48("628"), [502, stryMutAct_9fa48("629") ? "" : (stryCov_9fa48("629"), 'UpstreamUnavailableError'), stryMutAct_9fa48("630") ? "" : (stryCov_9fa48("630"), 'upstream_unavailable')]), stryMutAct_9fa48("631") ? [] : (stryCov_9fa48("631"), [503, stryMutAct_9fa48("632") ? "" : (stryCov_9fa48("632"), 'UpstreamUnavailableError'), stryMutAct_9fa48("633") ? "" : (stryCov_9fa48("633"), 'upstream_unavailable')]), stryMutAct_9fa48("634") ? [] : (stryCov_9fa48("634"), [504, stryMutAct_9fa48("635") ? "" : (stryCov_9fa48("635"), 'TimeoutError'), stryMutAct_9fa48("636") ? "" : (stryCov_9fa48("636"), 'timeout')])]);

// Every 400..599 status gets its own frozen row, built once, so a lookup is an
// index and the row's status is always the status the error carried.
const ROW_BY_STATUS: readonly HttpErrorRow[] = (() => {
  if (stryMutAct_9fa48("637")) {
    {}
  } else {
    stryCov_9fa48("637");
    const rows: HttpErrorRow[] = stryMutAct_9fa48("638") ? ["Stryker was here"] : (stryCov_9fa48("638"), []);
    for (let status = 400; stryMutAct_9fa48("641") ? status > 599 : stryMutAct_9fa48("640") ? status < 599 : stryMutAct_9fa48("639") ? false : (stryCov_9fa48("639", "640", "641"), status <= 599); stryMutAct_9fa48("642") ? status-- : (stryCov_9fa48("642"), status++)) {
      if (stryMutAct_9fa48("643")) {
        {}
      } else {
        stryCov_9fa48("643");
        const override = STATUS_OVERRIDES.find(stryMutAct_9fa48("644") ? () => undefined : (stryCov_9fa48("644"), ([s]) => stryMutAct_9fa48("647") ? s !== status : stryMutAct_9fa48("646") ? false : stryMutAct_9fa48("645") ? true : (stryCov_9fa48("645", "646", "647"), s === status)));
        if (stryMutAct_9fa48("649") ? false : stryMutAct_9fa48("648") ? true : (stryCov_9fa48("648", "649"), override)) rows.push(reuseRow(row(override[0], override[1], override[2])));
        // Any other 4xx is the caller's mistake, any other 5xx the server's.
        else if (stryMutAct_9fa48("653") ? status >= 500 : stryMutAct_9fa48("652") ? status <= 500 : stryMutAct_9fa48("651") ? false : stryMutAct_9fa48("650") ? true : (stryCov_9fa48("650", "651", "652", "653"), status < 500)) rows.push(row(status, stryMutAct_9fa48("654") ? "" : (stryCov_9fa48("654"), 'InvalidArgumentError'), stryMutAct_9fa48("655") ? "" : (stryCov_9fa48("655"), 'invalid_argument')));else rows.push(row(status, stryMutAct_9fa48("656") ? "" : (stryCov_9fa48("656"), 'InternalError'), stryMutAct_9fa48("657") ? "" : (stryCov_9fa48("657"), 'internal')));
      }
    }
    return Object.freeze(rows);
  }
})();
function reuseRow(r: HttpErrorRow): HttpErrorRow {
  if (stryMutAct_9fa48("658")) {
    {}
  } else {
    stryCov_9fa48("658");
    // Prefer the canonical/HTTP-only row object when one matches exactly.
    for (const known of stryMutAct_9fa48("659") ? [] : (stryCov_9fa48("659"), [...ROW_BY_CODE, ...HTTP_ONLY_ROWS])) {
      if (stryMutAct_9fa48("660")) {
        {}
      } else {
        stryCov_9fa48("660");
        if (stryMutAct_9fa48("663") ? known.status === r.status && known.type === r.type || known.code === r.code : stryMutAct_9fa48("662") ? false : stryMutAct_9fa48("661") ? true : (stryCov_9fa48("661", "662", "663"), (stryMutAct_9fa48("665") ? known.status === r.status || known.type === r.type : stryMutAct_9fa48("664") ? true : (stryCov_9fa48("664", "665"), (stryMutAct_9fa48("667") ? known.status !== r.status : stryMutAct_9fa48("666") ? true : (stryCov_9fa48("666", "667"), known.status === r.status)) && (stryMutAct_9fa48("669") ? known.type !== r.type : stryMutAct_9fa48("668") ? true : (stryCov_9fa48("668", "669"), known.type === r.type)))) && (stryMutAct_9fa48("671") ? known.code !== r.code : stryMutAct_9fa48("670") ? true : (stryCov_9fa48("670", "671"), known.code === r.code)))) return known;
      }
    }
    return r;
  }
}

/** True for an integer HTTP error status, 400..599. */
export function isHttpErrorStatus(status: unknown): status is number {
  if (stryMutAct_9fa48("672")) {
    {}
  } else {
    stryCov_9fa48("672");
    return stryMutAct_9fa48("675") ? typeof status === 'number' && status >= 400 && status <= 599 || (status | 0) === status : stryMutAct_9fa48("674") ? false : stryMutAct_9fa48("673") ? true : (stryCov_9fa48("673", "674", "675"), (stryMutAct_9fa48("677") ? typeof status === 'number' && status >= 400 || status <= 599 : stryMutAct_9fa48("676") ? true : (stryCov_9fa48("676", "677"), (stryMutAct_9fa48("679") ? typeof status === 'number' || status >= 400 : stryMutAct_9fa48("678") ? true : (stryCov_9fa48("678", "679"), (stryMutAct_9fa48("681") ? typeof status !== 'number' : stryMutAct_9fa48("680") ? true : (stryCov_9fa48("680", "681"), typeof status === (stryMutAct_9fa48("682") ? "" : (stryCov_9fa48("682"), 'number')))) && (stryMutAct_9fa48("685") ? status < 400 : stryMutAct_9fa48("684") ? status > 400 : stryMutAct_9fa48("683") ? true : (stryCov_9fa48("683", "684", "685"), status >= 400)))) && (stryMutAct_9fa48("688") ? status > 599 : stryMutAct_9fa48("687") ? status < 599 : stryMutAct_9fa48("686") ? true : (stryCov_9fa48("686", "687", "688"), status <= 599)))) && (stryMutAct_9fa48("690") ? (status | 0) !== status : stryMutAct_9fa48("689") ? true : (stryCov_9fa48("689", "690"), (status | 0) === status)));
  }
}

/**
 * The row for a bare HTTP error status (400..599); anything else answers 500
 * internal. The row's `status` is the status given.
 */
export function httpRowForStatus(status: number): HttpErrorRow {
  if (stryMutAct_9fa48("691")) {
    {}
  } else {
    stryCov_9fa48("691");
    return isHttpErrorStatus(status) ? ROW_BY_STATUS[stryMutAct_9fa48("692") ? status + 400 : (stryCov_9fa48("692"), status - 400)] : INTERNAL_ROW;
  }
}

/** The standard reason phrase ("Not Found"), or "Error" for unknown statuses. */
export function httpReasonPhrase(status: number): string {
  if (stryMutAct_9fa48("693")) {
    {}
  } else {
    stryCov_9fa48("693");
    return stryMutAct_9fa48("694") ? STATUS_CODES[status] && 'Error' : (stryCov_9fa48("694"), STATUS_CODES[status] ?? (stryMutAct_9fa48("695") ? "" : (stryCov_9fa48("695"), 'Error')));
  }
}