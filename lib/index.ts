export * from './errors';
export type * from './runtime-types';
export * from './http-table';
export * from './classify';
export * from './error-response';
