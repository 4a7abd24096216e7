import { BoxliteErrorCode } from './errors';
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
/**
 * Classify any value as an HTTP error answer. Pure, synchronous, never throws.
 */
export declare function classifyError(err: unknown): ErrorClassification;
/** The Display prefixes, for documentation and tests. */
export declare const BOXLITE_MESSAGE_PREFIXES: ReadonlyArray<readonly [string, BoxliteErrorCode]>;
/**
 * The BoxLite code named by a message's Display prefix at the very start, or
 * 0 when it has none.
 */
export declare function boxliteCodeForMessagePrefix(message: string): number;
