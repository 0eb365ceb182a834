import type { Config } from 'jest';
import { readFileSync } from 'node:fs';

// One .swcrc for jest and the bench: legacy decorators and metadata are what Nest's DI needs.
const swcrc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleNameMapper: {
    '^@mam/domain$': '<rootDir>/libs/domain/src',
    '^@mam/event-store$': '<rootDir>/libs/event-store/src',
    '^@mam/read-store$': '<rootDir>/libs/read-store/src',
    '^@mam/testing$': '<rootDir>/libs/testing/src',
  },
  reporters: ['default', '<rootDir>/jest.summary-reporter.js'],
  maxWorkers: 2,
  testTimeout: 20000,
};

export default config;
