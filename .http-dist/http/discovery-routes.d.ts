import { type Route } from './context';
export declare const getConfig: Route;
export declare const getMe: Route;
