import { type Route } from './context';
export declare const uploadFiles: Route;
export declare const downloadFiles: Route;
