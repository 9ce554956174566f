# Sourced by .ci/run and bench/node24.sh, from the repository's root: Node 24 and the better-sqlite3
# it needs. 12.x (TypeORM 1.1.1's ^12) aborts on Node >= 24.19 when a prepared statement is
# garbage-collected (nodejs/node#65446); 13.x ships N-API binaries that work there, but not on Node 20.
NODE24_VERSION=24.21.0
BETTER_SQLITE3_NODE24=13.2.0

# The Node 24 binary, cached in .tmp/node24 (npm registry only); prints its bin directory.
node24_bin() {
  local prefix=.tmp/node24
  if [ "$("$prefix/node_modules/node/bin/node" --version 2>/dev/null)" != "v$NODE24_VERSION" ]; then
    mkdir -p "$prefix"
    echo '{"private":true,"allowScripts":{"node":true}}' >"$prefix/package.json"
    (cd "$prefix" && npm install --no-audit --no-fund --no-save "node@$NODE24_VERSION" >/dev/null)
  fi
  echo "$PWD/$prefix/node_modules/node/bin"
}

# Swaps node_modules/better-sqlite3 (12.x, built for Node 20) for 13.x while Node 24 runs; put back by restore.
swap_in_better_sqlite3_for_node24() {
  local cache=.tmp/better-sqlite3-$BETTER_SQLITE3_NODE24
  if [ ! -f "$cache/package/package.json" ]; then
    rm -rf "$cache" && mkdir -p "$cache"
    (cd "$cache" && npm pack --silent "better-sqlite3@$BETTER_SQLITE3_NODE24" >/dev/null && tar -xzf ./*.tgz)
  fi
  rm -rf .tmp/better-sqlite3-node20
  mv node_modules/better-sqlite3 .tmp/better-sqlite3-node20
  cp -R "$cache/package" node_modules/better-sqlite3
}
restore_better_sqlite3() {
  if [ -d .tmp/better-sqlite3-node20 ]; then
    rm -rf node_modules/better-sqlite3
    mv .tmp/better-sqlite3-node20 node_modules/better-sqlite3
  fi
}
