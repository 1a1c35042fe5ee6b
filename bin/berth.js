#!/usr/bin/env node
// The `berth` command. Runs the compiled CLI; `npm ci` (or `npm run build`) compiles it.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('berth: not built yet. Run `npm ci` (or `npm run build`) in the Berth checkout first.');
  process.exit(1);
}
await import(main.href);
