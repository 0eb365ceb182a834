export * from './decider-spec';
export * from './fixtures';
export * from './projection-spec';
export * from './saga-spec';
export * from './report-fixtures';
export * from './workflow-fixtures';
