#!/usr/bin/env node
// Checks this Node.js against package.json's "engines" (the one place the requirement is written), so that
// the set-up stops with a sentence rather than failing later in a build or at start-up. CommonJS and plain
// syntax on purpose: it must run, and say so, on the old versions it refuses.
// Usage: node scripts/check-node.cjs [VERSION]   (VERSION defaults to this Node.js; the tests pass others)
'use strict';
const fs = require('fs');
const path = require('path');

const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
const range = String((pkg.engines && pkg.engines.node) || '');
const wanted = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range);
if (wanted === null) {
  console.error(
    'berth setup: package.json "engines.node" must read ">=MAJOR.MINOR[.PATCH]"; it reads "' + range + '".',
  );
  process.exit(2);
}
const version = (process.argv[2] || process.versions.node).replace(/^v/, '');
const found = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
if (found === null) {
  console.error('berth setup: cannot read the Node.js version "' + version + '".');
  process.exit(2);
}
let ok = true;
for (let i = 1; i <= 3; i++) {
  const have = Number(found[i]);
  const need = Number(wanted[i] || 0);
  if (have !== need) {
    ok = have > need;
    break;
  }
}
if (!ok) {
  console.error(
    'berth setup: Berth needs Node.js ' +
      range +
      ' (package.json "engines"); this is ' +
      version +
      ' (' +
      process.execPath +
      '). Install Node.js ' +
      range.replace(/^>=\s*/, '') +
      ' or newer (e.g. from https://nodejs.org or NodeSource), then run this again.',
  );
  process.exit(1);
}
