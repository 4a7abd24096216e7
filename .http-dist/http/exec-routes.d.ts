import { type Route } from './context';
export declare const startExec: Route;
export declare const getExecution: Route;
/** SIGKILL and evict; 204. Later requests for this id answer 404. */
export declare const killExecution: Route;
export declare const signalExecution: Route;
export declare const resizeExecution: Route;
/** A plain GET on .../attach: the route exists only as a WebSocket. */
export declare const attachWithoutUpgrade: Route;
