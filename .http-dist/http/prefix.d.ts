export type PathPrefixOption = string | readonly string[] | '*' | undefined;
export interface PrefixPolicy {
    readonly any: boolean;
    /** Allowed prefixes as segment lists; [] means "no prefix". */
    readonly fixed: readonly (readonly string[])[];
}
export declare function makePrefixPolicy(option: PathPrefixOption): PrefixPolicy;
/** True when `segs` (taken as a prefix under '*') is one we are willing to accept. */
export declare function isAcceptablePrefix(segs: readonly string[]): boolean;
/** The value a client should use as its pathPrefix (for GET /v1/me), or null. */
export declare function advertisedPrefix(policy: PrefixPolicy): string | null;
