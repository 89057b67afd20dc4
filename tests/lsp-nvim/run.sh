#!/usr/bin/env bash
# The language server in headless Neovim (the real vim.lsp client): opens a spell in each
# language in a temporary copy of tests/lsp-nvim/workspace and checks completion, hover,
# signature help, diagnostics and definition (see e2e.lua). Needs $LLMSPELL_BIN (scripts/test.sh
# builds it) and Neovim from scripts/tools/nvim.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
binary="${LLMSPELL_BIN:-$root/target/debug/llmspell}"
nvim="$root/.tools/nvim/bin/nvim"
# Idempotent: a no-op when the pinned Neovim is already there.
bash scripts/tools/nvim.sh >/dev/null
if [ ! -x "$binary" ]; then
    echo "tests/lsp-nvim: no llmspell binary at $binary (set LLMSPELL_BIN)" >&2
    exit 1
fi
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp -R tests/lsp-nvim/workspace "$scratch/workspace"
workspace="$(cd "$scratch/workspace" && pwd -P)"
# Neovim keeps its state (and the LSP log, with the server's stderr) in the scratch folder.
export XDG_CONFIG_HOME="$scratch/config" XDG_DATA_HOME="$scratch/data" XDG_STATE_HOME="$scratch/state" XDG_CACHE_HOME="$scratch/cache"
if ! timeout 300 "$nvim" --headless --clean -l tests/lsp-nvim/e2e.lua "$binary" "$workspace"; then
    echo "tests/lsp-nvim: FAILED; the Neovim LSP log:" >&2
    tail -n 40 "$scratch"/state/nvim/lsp.log >&2 2>/dev/null || true
    exit 1
fi
