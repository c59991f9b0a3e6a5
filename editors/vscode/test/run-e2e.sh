#!/usr/bin/env bash
# The real VS Code test: builds and packages the extension (.vsix), installs
# it into a throwaway code-server profile, starts code-server on a copy of
# test/fixture/app.py, and runs test/e2e.mjs in headless Chromium.
#
#   editors/vscode/test/run-e2e.sh [PATH/TO/privacy-lens]   (default: target/debug/privacy-lens)
#
# Needs the tools from setup-tools.sh (Node 24, code-server, chromium).
# Exit status: 0 passed, 1 failed, 77 skipped (tools not installed).
# Screenshots of each step go to $PRIVACY_LENS_SCREENSHOTS (default
# target/vscode-e2e/screenshots); the script prints the folder.
# Never hangs: every wait is bounded, and code-server runs in its own
# process group, killed on exit.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ext="$(cd "$here/.." && pwd)"
root="$(cd "$ext/../.." && pwd)"
bin="${1:-$root/target/debug/privacy-lens}"
source "$here/tools.sh"

if [[ ! -e "$TOOLS_STAMP" || ! -x "$CODE_SERVER" || -z "$CHROMIUM" ]]; then
  echo "skipped: code-server $CODE_SERVER_VERSION, Node $NODE24_VERSION or chromium is not installed" \
    "(run editors/vscode/test/setup-tools.sh)" >&2
  exit 77
fi
if [[ ! -x "$bin" ]]; then
  echo "error: no server binary at $bin (cargo build first)" >&2
  exit 1
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
started=$SECONDS

# Node 24 for vsce (it needs Node 22+) and for the test script.
export PATH="$NODE24_HOME/bin:$PATH"
cd "$ext"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "e2e: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
echo "e2e: build and package" >&2
npm run --silent build -- --production >&2
npm run --silent package >&2
vsix="$ext/privacy-lens.vsix"

work="$(mktemp -d)"
shots="${PRIVACY_LENS_SCREENSHOTS:-$root/target/vscode-e2e/screenshots}"
mkdir -p "$shots"
rm -f "$shots"/[0-9][0-9]-*.png # the previous run's
mkdir -p "$work"/{project,user/User,user/Machine,extensions,xdg/config,xdg/data,xdg/cache,xdg/state}
cp "$here/fixture/app.py" "$work/project/app.py"
cs_pid=""
cleanup() {
  if [[ -n "$cs_pid" ]]; then
    kill -TERM -- "-$cs_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$cs_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$cs_pid" 2>/dev/null || true
  fi
  if [[ "${KEEP_E2E_WORK:-}" == "" ]]; then rm -rf "$work"; else echo "e2e: kept $work" >&2; fi
}
trap cleanup EXIT

# code-server, its extension host and Chromium write under the XDG folders,
# and leave their sockets in TMPDIR: all inside the throwaway folder.
export XDG_CONFIG_HOME="$work/xdg/config" XDG_DATA_HOME="$work/xdg/data"
export XDG_CACHE_HOME="$work/xdg/cache" XDG_STATE_HOME="$work/xdg/state"
mkdir -p "$work/tmp"
export TMPDIR="$work/tmp"

port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
cat >"$work/config.yaml" <<EOF
bind-addr: 127.0.0.1:$port
auth: none
cert: false
EOF
node -e '
const [file, bin] = process.argv.slice(1);
require("fs").writeFileSync(file, JSON.stringify({
  "security.workspace.trust.enabled": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden",
  "chat.disableAIFeatures": true,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "editor.hover.delay": 100,
  "editor.minimap.enabled": false,
  "files.autoSave": "off",
  "privacy-lens.server.path": bin,
  "privacy-lens.debounceMs": 0,
  "privacy-lens.rules.severity": { "PL101": "error" },
}, null, 2));
' "$work/user/User/settings.json" "$bin"
# code-server is a remote setup: machine-scoped settings such as
# privacy-lens.server.path are read from the remote (Machine) settings.
cp "$work/user/User/settings.json" "$work/user/Machine/settings.json"

cs_args=(--config "$work/config.yaml" --user-data-dir "$work/user" --extensions-dir "$work/extensions")
echo "e2e: installing $vsix" >&2
"$CODE_SERVER" "${cs_args[@]}" --install-extension "$vsix" >&2

echo "e2e: starting code-server on 127.0.0.1:$port" >&2
setsid "$CODE_SERVER" "${cs_args[@]}" --disable-telemetry --disable-update-check \
  --disable-workspace-trust --disable-getting-started-override "$work/project" \
  >"$work/code-server.log" 2>&1 &
cs_pid=$!
ready=""
for _ in $(seq 600); do # up to 60 s, until /healthz answers
  if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' \
    "http://127.0.0.1:$port/healthz" 2>/dev/null; then
    ready=1
    break
  fi
  kill -0 "$cs_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$ready" ]]; then
  echo "FAIL: code-server did not start" >&2
  tail -n 40 "$work/code-server.log" >&2
  exit 1
fi

status=0
E2E_URL="http://127.0.0.1:$port" E2E_PROJECT="$work/project" E2E_FILE="app.py" \
E2E_SCREENSHOTS="$shots" CHROMIUM="$CHROMIUM" E2E_MACHINE_SETTINGS="$work/user/Machine/settings.json" \
E2E_LOGS="$work/user/logs" \
  timeout --kill-after=5 "${VSCODE_TEST_TIMEOUT:-300}" node "$here/e2e.mjs" || status=$?

if [[ $status -ne 0 ]]; then
  echo "FAIL: the VS Code scenario failed (status $status); screenshots in $shots" >&2
  echo "--- last lines of the code-server log" >&2
  tail -n 30 "$work/code-server.log" >&2
  log="$(find "$work/user/logs" -path '*privacy-lens*' -name '*.log' 2>/dev/null | head -n1)"
  if [[ -n "$log" ]]; then
    echo "--- last lines of $log" >&2
    tail -n 40 "$log" >&2
  fi
  exit 1
fi
if [[ -n "${PRIVACY_LENS_UPDATE_DOC_SCREENSHOT:-}" ]]; then
  cp "$shots"/*-hover.png "$root/docs/images/vscode-hover.png"
  echo "e2e: updated docs/images/vscode-hover.png" >&2
fi
echo "vscode: squiggle, status bar, hover, Problems, quick fix, save, explain, report, missing binary, restart: ok in $((SECONDS - started)) s; screenshots in $shots" >&2
