#!/usr/bin/env bash
# Runs tests/nvim/lsp_test.lua in headless Neovim against the built server
# on a copy of tests/nvim/fixture.py, then checks the saved file.
#
#   tests/nvim/run.sh [PATH/TO/privacy-lens]     (default: target/debug/privacy-lens)
#
# Exit status: 0 passed, 1 failed, 77 skipped (no nvim). Never hangs: the
# whole run is bounded by `timeout`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/privacy-lens}"

if ! command -v nvim >/dev/null 2>&1; then
  echo "skipped: nvim is not installed (apt-get install neovim)" >&2
  exit 77
fi
if [[ ! -x "$bin" ]]; then
  echo "error: no server binary at $bin (cargo build first)" >&2
  exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/project" "$work/cache" "$work/config" "$work/data" "$work/state"
cp "$here/fixture.py" "$work/project/app.py"

status=0
XDG_CACHE_HOME="$work/cache" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" \
XDG_STATE_HOME="$work/state" PRIVACY_LENS_BIN="$bin" RUST_LOG="${RUST_LOG:-info}" \
  timeout --kill-after=5 "${NVIM_TEST_TIMEOUT:-60}" \
  nvim --headless -u NONE -i NONE -n "$work/project/app.py" -c "luafile $here/lsp_test.lua" \
  </dev/null || status=$?

if [[ $status -ne 0 ]]; then
  echo "FAIL: nvim exited with status $status" >&2
  log="$(find "$work/cache" "$work/state" -name 'lsp.log' 2>/dev/null | head -n1)"
  if [[ -n "$log" ]]; then
    echo "--- last lines of $log" >&2
    tail -n 40 "$log" >&2
  fi
  exit 1
fi

# The saved file has the tag on the line above the call, indented like it.
if ! grep -B1 -E '^    résumé = client\.chat\.completions\.create' "$work/project/app.py" \
    | head -n1 | grep -qE '^    # @data-use [a-z_.]+ data=user\.contact\.email'; then
  echo "FAIL: the saved file does not carry the data-use tag above the call:" >&2
  cat "$work/project/app.py" >&2
  exit 1
fi
echo "nvim: diagnostics, hover, code action, save: ok" >&2
