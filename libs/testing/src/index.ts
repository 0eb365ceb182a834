export * from './specs';
export * from './contracts';
