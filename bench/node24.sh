#!/usr/bin/env bash
# `npm run bench:node24 -- [run.js options]`: the bench on Node 24 (the npm registry's `node` package),
# with better-sqlite3 13.x in place of 12.x while it runs (see .ci/node24.sh). Writes RESULTS-node24.md.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/node24.sh
mkdir -p .tmp
bin=$(node24_bin)
trap restore_better_sqlite3 EXIT
swap_in_better_sqlite3_for_node24
PATH="$bin:$PATH" node "${BENCH_SCRIPT:-dist/bench/run.js}" "$@"
