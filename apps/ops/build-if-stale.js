#!/usr/bin/env node
// `npm run ops` builds the CLI only when a source is newer than the build:
// `nest build ops` takes about ten seconds, and ran on every call.
const { spawnSync } = require('node:child_process');
const { readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const built = join(root, 'dist', 'apps', 'ops', 'src', 'main.js');
const SOURCES = ['apps/ops/src', 'apps/api/src', 'libs'];
const CONFIG = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'apps/ops/tsconfig.app.json'];

function newest(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = stat.mtimeMs; // a deleted file changes its directory
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

const builtAt = statSync(built, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sourcesAt = Math.max(...[...SOURCES, ...CONFIG].map((p) => newest(join(root, p))));
if (sourcesAt > builtAt) {
  process.stderr.write('ops: sources changed since the last build, building…\n');
  const build = spawnSync('npx', ['nest', 'build', 'ops'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
