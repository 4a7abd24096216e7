import { type PrefixPolicy } from './prefix';
export type RouteName = 'config' | 'me' | 'boxes' | 'box' | 'box.start' | 'box.stop' | 'box.exec' | 'box.metrics' | 'box.files' | 'execution' | 'execution.attach' | 'execution.signal' | 'execution.resize' | 'metrics' | 'unsupported';
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
export declare const MAX_ID_LENGTH = 128;
/** The scope `method` needs on `name`: an Action, null (open), or undefined (method not allowed). */
export declare function actionFor(name: RouteName, method: string): Action | null | undefined;
export declare function allowedMethods(name: RouteName): string[];
/**
 * Match the part of the path after `/v1/` (no query). Returns null for an
 * unknown path; throws InvalidArgumentError for a malformed or oversized id.
 */
export declare function matchRoute(afterV1: string, policy: PrefixPolicy): RouteMatch | null;
