#!/usr/bin/env bash
# Runs tests/nvim/lsp_test.lua in headless Neovim with the plugin in
# editors/nvim against the built server, on copies of tests/nvim/fixture.py
# and fixture.ts, then checks the saved files.
#
#   tests/nvim/run.sh [PATH/TO/privacy-lens]     (default: target/debug/privacy-lens)
#
# NVIM=/path/to/nvim picks another Neovim (default: nvim on PATH);
# PRIVACY_LENS_NVIM_NATIVE=0 makes setup{} use its FileType autocommand
# even on 0.11+ (clients from vim.lsp.start, as on 0.8-0.10).
#
# Exit status: 0 passed, 1 failed, 77 skipped (no nvim). Never hangs: the
# whole run is bounded by `timeout`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="${1:-$root/target/debug/privacy-lens}"

nvim_bin="${NVIM:-nvim}"
if ! command -v "$nvim_bin" >/dev/null 2>&1; then
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
cp "$here/fixture.ts" "$work/project/app.ts"

status=0
XDG_CACHE_HOME="$work/cache" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" \
XDG_STATE_HOME="$work/state" PRIVACY_LENS_BIN="$bin" RUST_LOG="${RUST_LOG:-info}" \
PRIVACY_LENS_PLUGIN="$root/editors/nvim" PRIVACY_LENS_PROJECT="$work/project" \
  timeout --kill-after=5 "${NVIM_TEST_TIMEOUT:-60}" \
  "$nvim_bin" --headless -u NONE -i NONE -n -c "cd $work/project" -c "luafile $here/lsp_test.lua" \
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

# Each saved file has the tag on the line above the call, indented like it.
tagged() { # FILE CALL-LINE-REGEX TAG-LINE-REGEX
  if ! grep -B1 -E "$2" "$1" | head -n1 | grep -qE "$3"; then
    echo "FAIL: $1 does not carry the data-use tag above the call:" >&2
    cat "$1" >&2
    exit 1
  fi
}
tagged "$work/project/app.py" '^    résumé = client\.chat\.completions\.create' \
  '^    # @data-use [a-z_.]+ data=user\.contact\.email'
tagged "$work/project/app.ts" '^  const résumé = await client\.chat\.completions\.create' \
  '^  // @data-use [a-z_.]+ data=user\.contact\.email'
echo "nvim: plugin setup{}, Python and TypeScript: diagnostics, hover, explain, code action, save, report: ok" >&2
