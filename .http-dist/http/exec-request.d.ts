import type { ExecOptions } from '../runtime-types';
/** BoxLite's whitelist: HUP INT QUIT ABRT USR1 USR2 TERM WINCH. */
export declare const ALLOWED_SIGNALS: ReadonlySet<number>;
export interface ExecRequest {
    command: string;
    args: string[];
    options: ExecOptions;
}
export declare function parseExecRequest(body: unknown): ExecRequest;
/** Validates a signal number against the whitelist (HTTP body and WS frame share it). */
export declare function checkSignal(sig: unknown): number;
export declare function parseSignalRequest(body: unknown): number;
export interface ResizeRequest {
    cols: number;
    rows: number;
}
export declare function checkResize(obj: Record<string, unknown>, where: string): ResizeRequest;
export declare function parseResizeRequest(body: unknown): ResizeRequest;
/** POST .../stop accepts the spec's optional {timeout_seconds}. */
export declare function parseStopRequest(body: unknown): void;
