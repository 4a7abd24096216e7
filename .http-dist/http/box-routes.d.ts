import { type Route } from './context';
export declare const listBoxes: Route;
export declare const createBox: Route;
export declare const getBox: Route;
/** HEAD: 204 when the box exists, 404 (no body) when not. */
export declare const headBox: Route;
export declare const removeBox: Route;
export declare const startBox: Route;
export declare const stopBox: Route;
export declare const runtimeMetrics: Route;
export declare const boxMetrics: Route;
