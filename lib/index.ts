export * from './errors';
export type * from './runtime-types';
