#!/usr/bin/env bash
# Fails when the build shipped test code (a `testing/` folder or a compiled test file) in dist/.
# tsconfig.build.json excludes them, but tsc still emits any excluded file that production code imports.
set -euo pipefail
dist=${1:-dist}
leaked=$(find "$dist" \( -path '*/testing/*' -o -name '*.test.js' -o -name '*.test.d.ts' \) -print)
if [ -n "$leaked" ]; then
  echo "test code in $dist (imported by production code, or left from an older build: delete $dist and rebuild):" >&2
  echo "$leaked" >&2
  exit 1
fi
