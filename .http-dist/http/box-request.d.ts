import type { BoxOptions, NetworkSpec } from '../runtime-types';
import { type JsonObject } from './validate';
export declare const DEFAULT_IMAGE = "alpine:latest";
export interface CreateBoxRequest {
    options: BoxOptions;
    /** Default user for this box's execs (the runtime has no box-level user). */
    user?: string;
}
export declare function envMap(obj: JsonObject, key: string, where: string): Record<string, string> | undefined;
/** Both shapes: flat `{mode, allow_net}` (spec, deprecated) and `{outbound, inbound}` (client 0.10.0). */
export declare function parseNetwork(value: unknown): NetworkSpec;
export declare function parseCreateBoxRequest(body: unknown): CreateBoxRequest;
