#!/usr/bin/env bash
# Builds the Temporal server and its SQL schema tool from the Go module, pinned,
# into .tools/temporal-server/<version>/ (gitignored): `temporal-server` and
# `temporal-sql-tool`. Skips the build when both binaries of that version are
# there. Needs Go (Debian's golang-go or a newer go on PATH) and the Go module proxy.
#
#   bash scripts/build-temporal-server.sh            # prints the directory on its last line
#   TEMPORAL_SERVER_VERSION=v1.31.2 bash scripts/build-temporal-server.sh
#
# v1.31.2 builds with Go 1.26; newer server releases need a newer Go.
set -euo pipefail
cd "$(dirname "$0")/.."
version=${TEMPORAL_SERVER_VERSION:-$(sed -n 's/^TEMPORAL_SERVER_VERSION=//p' deploy/temporal/versions.env)}
dir=.tools/temporal-server/$version
say() { echo "build-temporal-server: $*" >&2; }

if [ -x "$dir/temporal-server" ] && [ -x "$dir/temporal-sql-tool" ]; then
  say "temporal-server $version present in $dir"
  echo "$PWD/$dir"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  say "go not found: install Go (apt-get install golang-go, or go.dev/dl) to build the Temporal server $version" 
  exit 1
fi
say "building go.temporal.io/server $version with $(go version | awk '{print $3}') (about 4-5 minutes on 2 cores when the Go caches are cold)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/temporal-build.XXXXXX")
start=$(date +%s)
# Progress: one line every 30 s while the compiler runs.
( while sleep 30; do say "still building ($(( $(date +%s) - start )) s)"; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true; rm -rf "$tmp"' EXIT
# CGO off: static binaries, no C toolchain needed. -trimpath: reproducible paths.
CGO_ENABLED=0 GOBIN="$tmp/bin" GOFLAGS=-trimpath go install \
  "go.temporal.io/server/cmd/server@$version" "go.temporal.io/server/cmd/tools/sql@$version"
kill $ticker 2>/dev/null || true
mkdir -p "$dir"
mv "$tmp/bin/server" "$dir/temporal-server"
mv "$tmp/bin/sql" "$dir/temporal-sql-tool"
say "built in $(( $(date +%s) - start )) s: $dir/temporal-server, $dir/temporal-sql-tool"
echo "$PWD/$dir"
