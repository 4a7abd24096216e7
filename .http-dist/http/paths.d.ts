import type { IncomingMessage } from 'node:http';
export interface SplitUrl {
    /** The path after '/v1/' ('' for '/v1' itself); null when not under /v1. */
    afterV1: string | null;
    /** The raw query string, without '?'. */
    query: string;
}
export declare function normalizeBasePath(basePath: string | undefined): string;
export declare function splitUrl(req: IncomingMessage, basePath: string): SplitUrl;
