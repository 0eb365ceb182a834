import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jestConfig from '../../../jest.config';

/**
 * jest resolves `@mam/...` with its own moduleNameMapper, the build with
 * tsconfig's paths (rewritten into relative requires by `nest build`): the
 * two must name the same aliases and the same folders, or a module resolves
 * in tests and not in dist/ (built-artifact.test.ts runs dist/ itself).
 */
const root = join(__dirname, '..', '..', '..');

describe('module resolution', () => {
  it('jest maps exactly the aliases tsconfig declares, to the same folders', () => {
    const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
    const fromTsconfig = Object.entries(tsconfig.compilerOptions.paths)
      .map(([alias, [target]]) => [alias, target.replace(/\/$/, '')])
      .sort();
    const fromJest = Object.entries(jestConfig.moduleNameMapper ?? {})
      .map(([pattern, target]) => [pattern.replace(/^\^|\$$/g, ''), String(target).replace('<rootDir>/', '')])
      .sort();
    expect(fromJest).toEqual(fromTsconfig);
  });
});
