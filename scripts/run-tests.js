#!/usr/bin/env node
// Runs the node:test suites under the given folders or files (default: src and test, every tier).
// `--fast` runs the hermetic tier instead: what needs no Docker engine, no root, no network namespaces and no
// AWS CLI — the unit tests under src/ and test/api/ and test/protocol/. A test under src/ that needs Docker or
// the AWS CLI says so in its name (`*.docker.test.ts`, `*.cli.test.ts`) and stays out of the fast tier; under
// test/ the folder says it (rigs/ holds no tests; docker/, hosts/, cli/ and setup/ are the slow tiers: setup/
// compiles better-sqlite3).
// Node 20's `--test` takes no globs, so the files are collected here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const FAST_ROOTS = ['src', 'test/api', 'test/protocol', 'test/lint'];
const NOT_HERMETIC = /\.(docker|cli)\.test\.ts$/;

function collect(path, out) {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (name === 'node_modules' || name === 'dist') continue;
      collect(join(path, name), out);
    }
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
  return out;
}

const args = process.argv.slice(2);
const fast = args.includes('--fast');
const roots = args.filter((a) => a !== '--fast');
const files = (roots.length > 0 ? roots : fast ? FAST_ROOTS : ['src', 'test'])
  .flatMap((r) => collect(r, []))
  .filter((f) => !fast || !NOT_HERMETIC.test(f));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const concurrency = process.env.BERTH_TEST_CONCURRENCY ?? '2';
// node:test has no default timeout: one hung test would hold CI until its 90-minute limit. Node 20 applies it
// to each test file as a whole; the longest, the partition test, cuts hosts off for 3 minutes and takes ~4.
const TEST_TIMEOUT_MS = 8 * 60_000;
const started = Date.now();
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    '--test-reporter=spec',
    ...files,
  ],
  { stdio: 'inherit' },
);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`${files.length} test files${fast ? ' (fast tier)' : ''} in ${seconds} s`);
process.exit(result.status ?? 1);
