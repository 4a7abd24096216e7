// @ts-nocheck
// Turns any thrown value into the HTTP answer BoxLite's own servers would give.
//
// Order, first match wins:
//   1. a numeric `boxliteCode` (our BoxliteError, or one from another copy of
//      this package) -> its canonical row; code 1 (Internal) goes through the
//      Internal fallbacks below;
//   2. an integer `status` or `statusCode` in 400..599 (http-errors,
//      body-parser's entity.parse.failed / entity.too.large, ...) -> that status.
//      A status someone set on purpose outranks a prefix read from the text:
//      a 413 whose message reads "invalid argument: body too large" stays 413;
//   3. a message starting with a BoxLite Display prefix ("box not found: ", ...)
//      -> the row of that code: this is all the official @boxlite-ai/boxlite SDK
//      leaves on its errors (plain `Error`, code "GenericFailure"); again, the
//      Internal prefix goes through the Internal fallbacks;
//   4. otherwise its `cause` chain (bounded), so a wrapper around one of the
//      above keeps its meaning; the outer message is kept;
//   5. anything else -> 500 internal.
//
// The Internal fallbacks exist because the engine reports three caller
// mistakes as Internal (a known upstream bug, libboxlite-abi.md §9). They are
// deliberately narrow and never touch any other code's row.
//
// Never throws: every property read on a foreign value is inside try/catch
// (getters, Proxies and revoked Proxies can throw on any access).
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
import { BoxliteError, BoxliteErrorCode } from './errors';
import { type HttpErrorRow, EXECUTION_ROW, INTERNAL_ROW, INVALID_ARGUMENT_ROW, httpReasonPhrase, httpRowForBoxliteCode, httpRowForStatus, isHttpErrorStatus } from './http-table';

/** The HTTP answer for an error. */
export interface ErrorClassification {
  readonly status: number;
  /** Wire `type`, e.g. `NotFoundError`. */
  readonly type: string;
  /** Wire `code`, e.g. `not_found`. */
  readonly code: string;
  /** The error's own text, verbatim (a reason phrase when it has none). */
  readonly message: string;
  /** True for 429 and 503 answers. */
  readonly retryable: boolean;
}

/** How many `cause` links are followed before giving up (also ends cycles). */
const MAX_CAUSE_DEPTH = 8;
interface ErrorLike {
  readonly boxliteCode?: unknown;
  readonly message?: unknown;
  readonly status?: unknown;
  readonly statusCode?: unknown;
  readonly cause?: unknown;
}
function answer(row: HttpErrorRow, message: string): ErrorClassification {
  if (stryMutAct_9fa48("0")) {
    {}
  } else {
    stryCov_9fa48("0");
    return stryMutAct_9fa48("1") ? {} : (stryCov_9fa48("1"), {
      status: row.status,
      type: row.type,
      code: row.code,
      message,
      retryable: row.retryable
    });
  }
}

/**
 * Classify any value as an HTTP error answer. Pure, synchronous, never throws.
 */
export function classifyError(err: unknown): ErrorClassification {
  if (stryMutAct_9fa48("2")) {
    {}
  } else {
    stryCov_9fa48("2");
    try {
      if (stryMutAct_9fa48("3")) {
        {}
      } else {
        stryCov_9fa48("3");
        // The typed path first and flat: it is the common one and must stay cheap.
        // (`instanceof` itself can throw, for a revoked Proxy, hence inside try.)
        if (stryMutAct_9fa48("5") ? false : stryMutAct_9fa48("4") ? true : (stryCov_9fa48("4", "5"), err instanceof BoxliteError)) {
          if (stryMutAct_9fa48("6")) {
            {}
          } else {
            stryCov_9fa48("6");
            const code = err.boxliteCode;
            const message: unknown = err.message;
            const text = (stryMutAct_9fa48("9") ? typeof message !== 'string' : stryMutAct_9fa48("8") ? false : stryMutAct_9fa48("7") ? true : (stryCov_9fa48("7", "8", "9"), typeof message === (stryMutAct_9fa48("10") ? "" : (stryCov_9fa48("10"), 'string')))) ? message : stryMutAct_9fa48("11") ? "Stryker was here!" : (stryCov_9fa48("11"), '');
            const row = (stryMutAct_9fa48("14") ? code !== BoxliteErrorCode.Internal : stryMutAct_9fa48("13") ? false : stryMutAct_9fa48("12") ? true : (stryCov_9fa48("12", "13", "14"), code === BoxliteErrorCode.Internal)) ? internalRow(text) : httpRowForBoxliteCode(code);
            return answer(row, (stryMutAct_9fa48("18") ? text.length <= 0 : stryMutAct_9fa48("17") ? text.length >= 0 : stryMutAct_9fa48("16") ? false : stryMutAct_9fa48("15") ? true : (stryCov_9fa48("15", "16", "17", "18"), text.length > 0)) ? text : httpReasonPhrase(row.status));
          }
        }
        const row = stryMutAct_9fa48("19") ? rowOf(err, 0) && INTERNAL_ROW : (stryCov_9fa48("19"), rowOf(err, 0) ?? INTERNAL_ROW);
        return answer(row, messageOf(err, row));
      }
    } catch {
      if (stryMutAct_9fa48("20")) {
        {}
      } else {
        stryCov_9fa48("20");
        return answer(INTERNAL_ROW, messageOf(err, INTERNAL_ROW));
      }
    }
  }
}

/** The row for a value, or undefined when nothing about it is recognised. */
function rowOf(err: unknown, depth: number): HttpErrorRow | undefined {
  if (stryMutAct_9fa48("21")) {
    {}
  } else {
    stryCov_9fa48("21");
    if (stryMutAct_9fa48("24") ? typeof err !== 'object' || err === null || typeof err !== 'function' : stryMutAct_9fa48("23") ? false : stryMutAct_9fa48("22") ? true : (stryCov_9fa48("22", "23", "24"), (stryMutAct_9fa48("26") ? typeof err !== 'object' && err === null : stryMutAct_9fa48("25") ? true : (stryCov_9fa48("25", "26"), (stryMutAct_9fa48("28") ? typeof err === 'object' : stryMutAct_9fa48("27") ? false : (stryCov_9fa48("27", "28"), typeof err !== (stryMutAct_9fa48("29") ? "" : (stryCov_9fa48("29"), 'object')))) || (stryMutAct_9fa48("31") ? err !== null : stryMutAct_9fa48("30") ? false : (stryCov_9fa48("30", "31"), err === null)))) && (stryMutAct_9fa48("33") ? typeof err === 'function' : stryMutAct_9fa48("32") ? true : (stryCov_9fa48("32", "33"), typeof err !== (stryMutAct_9fa48("34") ? "" : (stryCov_9fa48("34"), 'function')))))) return undefined;
    const e = err as ErrorLike;
    const boxliteCode = e.boxliteCode;
    if (stryMutAct_9fa48("37") ? typeof boxliteCode !== 'number' : stryMutAct_9fa48("36") ? false : stryMutAct_9fa48("35") ? true : (stryCov_9fa48("35", "36", "37"), typeof boxliteCode === (stryMutAct_9fa48("38") ? "" : (stryCov_9fa48("38"), 'number')))) {
      if (stryMutAct_9fa48("39")) {
        {}
      } else {
        stryCov_9fa48("39");
        if (stryMutAct_9fa48("42") ? boxliteCode === BoxliteErrorCode.Internal : stryMutAct_9fa48("41") ? false : stryMutAct_9fa48("40") ? true : (stryCov_9fa48("40", "41", "42"), boxliteCode !== BoxliteErrorCode.Internal)) return httpRowForBoxliteCode(boxliteCode);
        const message = e.message;
        return internalRow((stryMutAct_9fa48("45") ? typeof message !== 'string' : stryMutAct_9fa48("44") ? false : stryMutAct_9fa48("43") ? true : (stryCov_9fa48("43", "44", "45"), typeof message === (stryMutAct_9fa48("46") ? "" : (stryCov_9fa48("46"), 'string')))) ? message : stryMutAct_9fa48("47") ? "Stryker was here!" : (stryCov_9fa48("47"), ''));
      }
    }

    // finalhandler's order: `status`, then `statusCode`.
    const status = e.status;
    if (stryMutAct_9fa48("49") ? false : stryMutAct_9fa48("48") ? true : (stryCov_9fa48("48", "49"), isHttpErrorStatus(status))) return httpRowForStatus(status);
    const statusCode = e.statusCode;
    if (stryMutAct_9fa48("51") ? false : stryMutAct_9fa48("50") ? true : (stryCov_9fa48("50", "51"), isHttpErrorStatus(statusCode))) return httpRowForStatus(statusCode);
    const message = e.message;
    if (stryMutAct_9fa48("54") ? typeof message !== 'string' : stryMutAct_9fa48("53") ? false : stryMutAct_9fa48("52") ? true : (stryCov_9fa48("52", "53", "54"), typeof message === (stryMutAct_9fa48("55") ? "" : (stryCov_9fa48("55"), 'string')))) {
      if (stryMutAct_9fa48("56")) {
        {}
      } else {
        stryCov_9fa48("56");
        const code = boxliteCodeForPrefix(message);
        if (stryMutAct_9fa48("59") ? code === 0 : stryMutAct_9fa48("58") ? false : stryMutAct_9fa48("57") ? true : (stryCov_9fa48("57", "58", "59"), code !== 0)) return (stryMutAct_9fa48("62") ? code !== BoxliteErrorCode.Internal : stryMutAct_9fa48("61") ? false : stryMutAct_9fa48("60") ? true : (stryCov_9fa48("60", "61", "62"), code === BoxliteErrorCode.Internal)) ? internalRow(message) : httpRowForBoxliteCode(code);
      }
    }
    if (stryMutAct_9fa48("66") ? depth >= MAX_CAUSE_DEPTH : stryMutAct_9fa48("65") ? depth <= MAX_CAUSE_DEPTH : stryMutAct_9fa48("64") ? false : stryMutAct_9fa48("63") ? true : (stryCov_9fa48("63", "64", "65", "66"), depth < MAX_CAUSE_DEPTH)) {
      if (stryMutAct_9fa48("67")) {
        {}
      } else {
        stryCov_9fa48("67");
        const cause = e.cause;
        if (stryMutAct_9fa48("70") ? cause !== undefined || cause !== err : stryMutAct_9fa48("69") ? false : stryMutAct_9fa48("68") ? true : (stryCov_9fa48("68", "69", "70"), (stryMutAct_9fa48("72") ? cause === undefined : stryMutAct_9fa48("71") ? true : (stryCov_9fa48("71", "72"), cause !== undefined)) && (stryMutAct_9fa48("74") ? cause === err : stryMutAct_9fa48("73") ? true : (stryCov_9fa48("73", "74"), cause !== err)))) {
          if (stryMutAct_9fa48("75")) {
            {}
          } else {
            stryCov_9fa48("75");
            try {
              if (stryMutAct_9fa48("76")) {
                {}
              } else {
                stryCov_9fa48("76");
                return rowOf(cause, stryMutAct_9fa48("77") ? depth - 1 : (stryCov_9fa48("77"), depth + 1));
              }
            } catch {
              if (stryMutAct_9fa48("78")) {
                {}
              } else {
                stryCov_9fa48("78");
                return undefined; // a hostile cause must not hide the outer error's message
              }
            }
          }
        }
      }
    }
    return undefined;
  }
}

/** The text for the envelope: the error's own message, else a reason phrase. */
function messageOf(err: unknown, row: HttpErrorRow): string {
  if (stryMutAct_9fa48("79")) {
    {}
  } else {
    stryCov_9fa48("79");
    if (stryMutAct_9fa48("82") ? typeof err !== 'string' : stryMutAct_9fa48("81") ? false : stryMutAct_9fa48("80") ? true : (stryCov_9fa48("80", "81", "82"), typeof err === (stryMutAct_9fa48("83") ? "" : (stryCov_9fa48("83"), 'string')))) return (stryMutAct_9fa48("87") ? err.length <= 0 : stryMutAct_9fa48("86") ? err.length >= 0 : stryMutAct_9fa48("85") ? false : stryMutAct_9fa48("84") ? true : (stryCov_9fa48("84", "85", "86", "87"), err.length > 0)) ? err : httpReasonPhrase(row.status);
    if (stryMutAct_9fa48("90") ? typeof err === 'object' && err !== null && typeof err === 'function' : stryMutAct_9fa48("89") ? false : stryMutAct_9fa48("88") ? true : (stryCov_9fa48("88", "89", "90"), (stryMutAct_9fa48("92") ? typeof err === 'object' || err !== null : stryMutAct_9fa48("91") ? false : (stryCov_9fa48("91", "92"), (stryMutAct_9fa48("94") ? typeof err !== 'object' : stryMutAct_9fa48("93") ? true : (stryCov_9fa48("93", "94"), typeof err === (stryMutAct_9fa48("95") ? "" : (stryCov_9fa48("95"), 'object')))) && (stryMutAct_9fa48("97") ? err === null : stryMutAct_9fa48("96") ? true : (stryCov_9fa48("96", "97"), err !== null)))) || (stryMutAct_9fa48("99") ? typeof err !== 'function' : stryMutAct_9fa48("98") ? false : (stryCov_9fa48("98", "99"), typeof err === (stryMutAct_9fa48("100") ? "" : (stryCov_9fa48("100"), 'function')))))) {
      if (stryMutAct_9fa48("101")) {
        {}
      } else {
        stryCov_9fa48("101");
        try {
          if (stryMutAct_9fa48("102")) {
            {}
          } else {
            stryCov_9fa48("102");
            const message = (err as ErrorLike).message;
            if (stryMutAct_9fa48("105") ? typeof message === 'string' || message.length > 0 : stryMutAct_9fa48("104") ? false : stryMutAct_9fa48("103") ? true : (stryCov_9fa48("103", "104", "105"), (stryMutAct_9fa48("107") ? typeof message !== 'string' : stryMutAct_9fa48("106") ? true : (stryCov_9fa48("106", "107"), typeof message === (stryMutAct_9fa48("108") ? "" : (stryCov_9fa48("108"), 'string')))) && (stryMutAct_9fa48("111") ? message.length <= 0 : stryMutAct_9fa48("110") ? message.length >= 0 : stryMutAct_9fa48("109") ? true : (stryCov_9fa48("109", "110", "111"), message.length > 0)))) return message;
          }
        } catch {
          // fall through to the reason phrase
        }
      }
    }
    return httpReasonPhrase(row.status);
  }
}

// --- Official-SDK message prefixes -----------------------------------------

// BoxLite's `BoxliteError` Display prefixes (src/shared/src/errors.rs), by
// code. Case matters ("Execution error: " is capitalised upstream).
// UnsupportedEngine is a unit variant whose whole text is the "prefix".
const PREFIXES: ReadonlyArray<readonly [string, BoxliteErrorCode]> = stryMutAct_9fa48("112") ? [] : (stryCov_9fa48("112"), [stryMutAct_9fa48("113") ? [] : (stryCov_9fa48("113"), [stryMutAct_9fa48("114") ? "" : (stryCov_9fa48("114"), 'internal error: '), BoxliteErrorCode.Internal]), stryMutAct_9fa48("115") ? [] : (stryCov_9fa48("115"), [stryMutAct_9fa48("116") ? "" : (stryCov_9fa48("116"), 'box not found: '), BoxliteErrorCode.NotFound]), stryMutAct_9fa48("117") ? [] : (stryCov_9fa48("117"), [stryMutAct_9fa48("118") ? "" : (stryCov_9fa48("118"), 'already exists: '), BoxliteErrorCode.AlreadyExists]), stryMutAct_9fa48("119") ? [] : (stryCov_9fa48("119"), [stryMutAct_9fa48("120") ? "" : (stryCov_9fa48("120"), 'invalid state: '), BoxliteErrorCode.InvalidState]), stryMutAct_9fa48("121") ? [] : (stryCov_9fa48("121"), [stryMutAct_9fa48("122") ? "" : (stryCov_9fa48("122"), 'invalid argument: '), BoxliteErrorCode.InvalidArgument]), stryMutAct_9fa48("123") ? [] : (stryCov_9fa48("123"), [stryMutAct_9fa48("124") ? "" : (stryCov_9fa48("124"), 'configuration error: '), BoxliteErrorCode.Config]), stryMutAct_9fa48("125") ? [] : (stryCov_9fa48("125"), [stryMutAct_9fa48("126") ? "" : (stryCov_9fa48("126"), 'storage error: '), BoxliteErrorCode.Storage]), stryMutAct_9fa48("127") ? [] : (stryCov_9fa48("127"), [stryMutAct_9fa48("128") ? "" : (stryCov_9fa48("128"), 'images error: '), BoxliteErrorCode.Image]), stryMutAct_9fa48("129") ? [] : (stryCov_9fa48("129"), [stryMutAct_9fa48("130") ? "" : (stryCov_9fa48("130"), 'network error: '), BoxliteErrorCode.Network]), stryMutAct_9fa48("131") ? [] : (stryCov_9fa48("131"), [stryMutAct_9fa48("132") ? "" : (stryCov_9fa48("132"), 'Execution error: '), BoxliteErrorCode.Execution]), stryMutAct_9fa48("133") ? [] : (stryCov_9fa48("133"), [stryMutAct_9fa48("134") ? "" : (stryCov_9fa48("134"), 'stopped: '), BoxliteErrorCode.Stopped]), stryMutAct_9fa48("135") ? [] : (stryCov_9fa48("135"), [stryMutAct_9fa48("136") ? "" : (stryCov_9fa48("136"), 'engine reported an error: '), BoxliteErrorCode.Engine]), stryMutAct_9fa48("137") ? [] : (stryCov_9fa48("137"), [stryMutAct_9fa48("138") ? "" : (stryCov_9fa48("138"), 'unsupported: '), BoxliteErrorCode.Unsupported]), stryMutAct_9fa48("139") ? [] : (stryCov_9fa48("139"), [stryMutAct_9fa48("140") ? "" : (stryCov_9fa48("140"), 'database error: '), BoxliteErrorCode.Database]), stryMutAct_9fa48("141") ? [] : (stryCov_9fa48("141"), [stryMutAct_9fa48("142") ? "" : (stryCov_9fa48("142"), 'portal error: '), BoxliteErrorCode.Portal]), stryMutAct_9fa48("143") ? [] : (stryCov_9fa48("143"), [stryMutAct_9fa48("144") ? "" : (stryCov_9fa48("144"), 'gRPC/tonic error: '), BoxliteErrorCode.Rpc]), stryMutAct_9fa48("145") ? [] : (stryCov_9fa48("145"), [stryMutAct_9fa48("146") ? "" : (stryCov_9fa48("146"), 'gRPC transport error: '), BoxliteErrorCode.RpcTransport]), stryMutAct_9fa48("147") ? [] : (stryCov_9fa48("147"), [stryMutAct_9fa48("148") ? "" : (stryCov_9fa48("148"), 'metadata error: '), BoxliteErrorCode.Metadata]), stryMutAct_9fa48("149") ? [] : (stryCov_9fa48("149"), [stryMutAct_9fa48("150") ? "" : (stryCov_9fa48("150"), 'unsupported engine kind'), BoxliteErrorCode.UnsupportedEngine]), stryMutAct_9fa48("151") ? [] : (stryCov_9fa48("151"), [stryMutAct_9fa48("152") ? "" : (stryCov_9fa48("152"), 'resource exhausted: '), BoxliteErrorCode.ResourceExhausted]), stryMutAct_9fa48("153") ? [] : (stryCov_9fa48("153"), [stryMutAct_9fa48("154") ? "" : (stryCov_9fa48("154"), 'session reaped: '), BoxliteErrorCode.SessionReaped])]);

/** The Display prefixes, for documentation and tests. */
export const BOXLITE_MESSAGE_PREFIXES: ReadonlyArray<readonly [string, BoxliteErrorCode]> = Object.freeze(PREFIXES.map(stryMutAct_9fa48("155") ? () => undefined : (stryCov_9fa48("155"), p => Object.freeze(p))));

// Candidates bucketed by first character, so most messages are rejected or
// matched with one charCodeAt and one or two startsWith calls (no regex).
const PREFIXES_BY_FIRST_CHAR: ReadonlyArray<ReadonlyArray<readonly [string, BoxliteErrorCode]> | undefined> = (() => {
  if (stryMutAct_9fa48("156")) {
    {}
  } else {
    stryCov_9fa48("156");
    const buckets: Array<Array<readonly [string, BoxliteErrorCode]> | undefined> = (stryMutAct_9fa48("157") ? new Array() : (stryCov_9fa48("157"), new Array(128))).fill(undefined);
    for (const p of PREFIXES) {
      if (stryMutAct_9fa48("158")) {
        {}
      } else {
        stryCov_9fa48("158");
        const c = p[0].charCodeAt(0);
        (stryMutAct_9fa48("159") ? buckets[c] &&= [] : (stryCov_9fa48("159"), buckets[c] ??= stryMutAct_9fa48("160") ? ["Stryker was here"] : (stryCov_9fa48("160"), []))).push(p);
      }
    }
    return buckets;
  }
})();

/**
 * The BoxLite code named by a message's Display prefix at the very start, or
 * 0 when it has none.
 */
export function boxliteCodeForMessagePrefix(message: string): number {
  if (stryMutAct_9fa48("161")) {
    {}
  } else {
    stryCov_9fa48("161");
    return boxliteCodeForPrefix(message);
  }
}
function boxliteCodeForPrefix(message: string): number {
  if (stryMutAct_9fa48("162")) {
    {}
  } else {
    stryCov_9fa48("162");
    const bucket = PREFIXES_BY_FIRST_CHAR[message.charCodeAt(0)];
    if (stryMutAct_9fa48("165") ? bucket !== undefined : stryMutAct_9fa48("164") ? false : stryMutAct_9fa48("163") ? true : (stryCov_9fa48("163", "164", "165"), bucket === undefined)) return 0;
    for (let i = 0; stryMutAct_9fa48("168") ? i >= bucket.length : stryMutAct_9fa48("167") ? i <= bucket.length : stryMutAct_9fa48("166") ? false : (stryCov_9fa48("166", "167", "168"), i < bucket.length); stryMutAct_9fa48("169") ? i-- : (stryCov_9fa48("169"), i++)) {
      if (stryMutAct_9fa48("170")) {
        {}
      } else {
        stryCov_9fa48("170");
        if (stryMutAct_9fa48("173") ? message.endsWith(bucket[i][0]) : stryMutAct_9fa48("172") ? false : stryMutAct_9fa48("171") ? true : (stryCov_9fa48("171", "172", "173"), message.startsWith(bucket[i][0]))) return bucket[i][1];
      }
    }
    return 0;
  }
}

// --- Internal (code 1) fallbacks --------------------------------------------

const NOT_FOUND_IN = stryMutAct_9fa48("174") ? "" : (stryCov_9fa48("174"), 'not found in ');
const SPAWN_FAILED = stryMutAct_9fa48("175") ? "" : (stryCov_9fa48("175"), 'spawn_failed');
const NOT_IN_PATH = stryMutAct_9fa48("176") ? "" : (stryCov_9fa48("176"), 'not found in $PATH');
const BAD_PERMISSIONS = stryMutAct_9fa48("177") ? "" : (stryCov_9fa48("177"), 'does not have correct permissions');

/**
 * The row for an Internal error's message: a caller mistake the engine
 * mislabels as Internal gets its real row, anything else stays 500 internal.
 */
function internalRow(message: string): HttpErrorRow {
  if (stryMutAct_9fa48("178")) {
    {}
  } else {
    stryCov_9fa48("178");
    if (stryMutAct_9fa48("180") ? false : stryMutAct_9fa48("179") ? true : (stryCov_9fa48("179", "180"), namesMissingUserOrGroup(message))) return INVALID_ARGUMENT_ROW;
    if (stryMutAct_9fa48("182") ? false : stryMutAct_9fa48("181") ? true : (stryCov_9fa48("181", "182"), isSpawnFailureOfCommand(message))) return EXECUTION_ROW;
    return INTERNAL_ROW;
  }
}

/**
 * "User 'bob' not found in /run/bundle/rootfs/etc/passwd" (or "Group 'g' not
 * found in .../etc/group"): the exec `user` names an account the image lacks.
 * The account file must be the very thing "not found in" points at: the path
 * right after it (up to whitespace, trailing punctuation and quotes trimmed)
 * ends with /etc/passwd or /etc/group. "executable '/etc/passwd' not found in
 * $PATH" or "... not found in /etc/shadow (see /etc/passwd)" do not qualify.
 */
function namesMissingUserOrGroup(message: string): boolean {
  if (stryMutAct_9fa48("183")) {
    {}
  } else {
    stryCov_9fa48("183");
    let at = message.indexOf(NOT_FOUND_IN);
    while (stryMutAct_9fa48("185") ? at === -1 : stryMutAct_9fa48("184") ? false : (stryCov_9fa48("184", "185"), at !== (stryMutAct_9fa48("186") ? +1 : (stryCov_9fa48("186"), -1)))) {
      if (stryMutAct_9fa48("187")) {
        {}
      } else {
        stryCov_9fa48("187");
        const start = stryMutAct_9fa48("188") ? at - NOT_FOUND_IN.length : (stryCov_9fa48("188"), at + NOT_FOUND_IN.length);
        let end = start;
        while (stryMutAct_9fa48("190") ? end < message.length || !isWhitespace(message.charCodeAt(end)) : stryMutAct_9fa48("189") ? false : (stryCov_9fa48("189", "190"), (stryMutAct_9fa48("193") ? end >= message.length : stryMutAct_9fa48("192") ? end <= message.length : stryMutAct_9fa48("191") ? true : (stryCov_9fa48("191", "192", "193"), end < message.length)) && (stryMutAct_9fa48("194") ? isWhitespace(message.charCodeAt(end)) : (stryCov_9fa48("194"), !isWhitespace(message.charCodeAt(end)))))) stryMutAct_9fa48("195") ? end-- : (stryCov_9fa48("195"), end++);
        while (stryMutAct_9fa48("197") ? end > start || isTrailingPunctuation(message.charCodeAt(end - 1)) : stryMutAct_9fa48("196") ? false : (stryCov_9fa48("196", "197"), (stryMutAct_9fa48("200") ? end <= start : stryMutAct_9fa48("199") ? end >= start : stryMutAct_9fa48("198") ? true : (stryCov_9fa48("198", "199", "200"), end > start)) && isTrailingPunctuation(message.charCodeAt(stryMutAct_9fa48("201") ? end + 1 : (stryCov_9fa48("201"), end - 1))))) stryMutAct_9fa48("202") ? end++ : (stryCov_9fa48("202"), end--);
        if (stryMutAct_9fa48("205") ? endsWithAt(message, '/etc/passwd', start, end) && endsWithAt(message, '/etc/group', start, end) : stryMutAct_9fa48("204") ? false : stryMutAct_9fa48("203") ? true : (stryCov_9fa48("203", "204", "205"), endsWithAt(message, stryMutAct_9fa48("206") ? "" : (stryCov_9fa48("206"), '/etc/passwd'), start, end) || endsWithAt(message, stryMutAct_9fa48("207") ? "" : (stryCov_9fa48("207"), '/etc/group'), start, end))) return stryMutAct_9fa48("208") ? false : (stryCov_9fa48("208"), true);
        at = message.indexOf(NOT_FOUND_IN, start);
      }
    }
    return stryMutAct_9fa48("209") ? true : (stryCov_9fa48("209"), false);
  }
}

/**
 * The guest could not start the command: "spawn_failed: ... executable 'x' not
 * found in $PATH" or "... does not have correct permissions". The detail must
 * come after the spawn_failed marker, as the engine writes it (the marker is
 * the wrapping prefix).
 */
function isSpawnFailureOfCommand(message: string): boolean {
  if (stryMutAct_9fa48("210")) {
    {}
  } else {
    stryCov_9fa48("210");
    const at = message.indexOf(SPAWN_FAILED);
    if (stryMutAct_9fa48("213") ? at !== -1 : stryMutAct_9fa48("212") ? false : stryMutAct_9fa48("211") ? true : (stryCov_9fa48("211", "212", "213"), at === (stryMutAct_9fa48("214") ? +1 : (stryCov_9fa48("214"), -1)))) return stryMutAct_9fa48("215") ? true : (stryCov_9fa48("215"), false);
    const from = stryMutAct_9fa48("216") ? at - SPAWN_FAILED.length : (stryCov_9fa48("216"), at + SPAWN_FAILED.length);
    return stryMutAct_9fa48("219") ? message.indexOf(NOT_IN_PATH, from) !== -1 && message.indexOf(BAD_PERMISSIONS, from) !== -1 : stryMutAct_9fa48("218") ? false : stryMutAct_9fa48("217") ? true : (stryCov_9fa48("217", "218", "219"), (stryMutAct_9fa48("221") ? message.indexOf(NOT_IN_PATH, from) === -1 : stryMutAct_9fa48("220") ? false : (stryCov_9fa48("220", "221"), message.indexOf(NOT_IN_PATH, from) !== (stryMutAct_9fa48("222") ? +1 : (stryCov_9fa48("222"), -1)))) || (stryMutAct_9fa48("224") ? message.indexOf(BAD_PERMISSIONS, from) === -1 : stryMutAct_9fa48("223") ? false : (stryCov_9fa48("223", "224"), message.indexOf(BAD_PERMISSIONS, from) !== (stryMutAct_9fa48("225") ? +1 : (stryCov_9fa48("225"), -1)))));
  }
}
function endsWithAt(s: string, suffix: string, start: number, end: number): boolean {
  if (stryMutAct_9fa48("226")) {
    {}
  } else {
    stryCov_9fa48("226");
    return stryMutAct_9fa48("229") ? end - start >= suffix.length || s.endsWith(suffix, end) : stryMutAct_9fa48("228") ? false : stryMutAct_9fa48("227") ? true : (stryCov_9fa48("227", "228", "229"), (stryMutAct_9fa48("232") ? end - start < suffix.length : stryMutAct_9fa48("231") ? end - start > suffix.length : stryMutAct_9fa48("230") ? true : (stryCov_9fa48("230", "231", "232"), (stryMutAct_9fa48("233") ? end + start : (stryCov_9fa48("233"), end - start)) >= suffix.length)) && (stryMutAct_9fa48("234") ? s.startsWith(suffix, end) : (stryCov_9fa48("234"), s.endsWith(suffix, end))));
  }
}
function isWhitespace(c: number): boolean {
  if (stryMutAct_9fa48("235")) {
    {}
  } else {
    stryCov_9fa48("235");
    return stryMutAct_9fa48("238") ? c === 32 && c >= 9 && c <= 13 : stryMutAct_9fa48("237") ? false : stryMutAct_9fa48("236") ? true : (stryCov_9fa48("236", "237", "238"), (stryMutAct_9fa48("240") ? c !== 32 : stryMutAct_9fa48("239") ? false : (stryCov_9fa48("239", "240"), c === 32)) || (stryMutAct_9fa48("242") ? c >= 9 || c <= 13 : stryMutAct_9fa48("241") ? false : (stryCov_9fa48("241", "242"), (stryMutAct_9fa48("245") ? c < 9 : stryMutAct_9fa48("244") ? c > 9 : stryMutAct_9fa48("243") ? true : (stryCov_9fa48("243", "244", "245"), c >= 9)) && (stryMutAct_9fa48("248") ? c > 13 : stryMutAct_9fa48("247") ? c < 13 : stryMutAct_9fa48("246") ? true : (stryCov_9fa48("246", "247", "248"), c <= 13)))));
  }
}

// . , ; : ) ] ' " `  -- what may close a sentence or a quoted path.
function isTrailingPunctuation(c: number): boolean {
  if (stryMutAct_9fa48("249")) {
    {}
  } else {
    stryCov_9fa48("249");
    return stryMutAct_9fa48("252") ? (c === 46 || c === 44 || c === 59 || c === 58 || c === 41 || c === 93 || c === 39 || c === 34) && c === 96 : stryMutAct_9fa48("251") ? false : stryMutAct_9fa48("250") ? true : (stryCov_9fa48("250", "251", "252"), (stryMutAct_9fa48("254") ? (c === 46 || c === 44 || c === 59 || c === 58 || c === 41 || c === 93 || c === 39) && c === 34 : stryMutAct_9fa48("253") ? false : (stryCov_9fa48("253", "254"), (stryMutAct_9fa48("256") ? (c === 46 || c === 44 || c === 59 || c === 58 || c === 41 || c === 93) && c === 39 : stryMutAct_9fa48("255") ? false : (stryCov_9fa48("255", "256"), (stryMutAct_9fa48("258") ? (c === 46 || c === 44 || c === 59 || c === 58 || c === 41) && c === 93 : stryMutAct_9fa48("257") ? false : (stryCov_9fa48("257", "258"), (stryMutAct_9fa48("260") ? (c === 46 || c === 44 || c === 59 || c === 58) && c === 41 : stryMutAct_9fa48("259") ? false : (stryCov_9fa48("259", "260"), (stryMutAct_9fa48("262") ? (c === 46 || c === 44 || c === 59) && c === 58 : stryMutAct_9fa48("261") ? false : (stryCov_9fa48("261", "262"), (stryMutAct_9fa48("264") ? (c === 46 || c === 44) && c === 59 : stryMutAct_9fa48("263") ? false : (stryCov_9fa48("263", "264"), (stryMutAct_9fa48("266") ? c === 46 && c === 44 : stryMutAct_9fa48("265") ? false : (stryCov_9fa48("265", "266"), (stryMutAct_9fa48("268") ? c !== 46 : stryMutAct_9fa48("267") ? false : (stryCov_9fa48("267", "268"), c === 46)) || (stryMutAct_9fa48("270") ? c !== 44 : stryMutAct_9fa48("269") ? false : (stryCov_9fa48("269", "270"), c === 44)))) || (stryMutAct_9fa48("272") ? c !== 59 : stryMutAct_9fa48("271") ? false : (stryCov_9fa48("271", "272"), c === 59)))) || (stryMutAct_9fa48("274") ? c !== 58 : stryMutAct_9fa48("273") ? false : (stryCov_9fa48("273", "274"), c === 58)))) || (stryMutAct_9fa48("276") ? c !== 41 : stryMutAct_9fa48("275") ? false : (stryCov_9fa48("275", "276"), c === 41)))) || (stryMutAct_9fa48("278") ? c !== 93 : stryMutAct_9fa48("277") ? false : (stryCov_9fa48("277", "278"), c === 93)))) || (stryMutAct_9fa48("280") ? c !== 39 : stryMutAct_9fa48("279") ? false : (stryCov_9fa48("279", "280"), c === 39)))) || (stryMutAct_9fa48("282") ? c !== 34 : stryMutAct_9fa48("281") ? false : (stryCov_9fa48("281", "282"), c === 34)))) || (stryMutAct_9fa48("284") ? c !== 96 : stryMutAct_9fa48("283") ? false : (stryCov_9fa48("283", "284"), c === 96)));
  }
}