#!/usr/bin/env bash
# Installs the language servers the LSP bench compares llmspell against, at pinned versions,
# under .tools/bench/ (not needed by the test suite):
#   emmylua_ls 0.25.1 (cargo install; ~10 minutes of compiling on two cores)
#   typescript-language-server 4.4.1 with typescript 5.9.3 (npm)
# Then: cargo bench -p llmspell-cli --bench lsp
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$(pwd)/.tools/bench"
mkdir -p "$tools"

if ! "$tools/bin/emmylua_ls" --version 2>/dev/null | grep -q "0.25.1"; then
    cargo install emmylua_ls --version 0.25.1 --locked --root "$tools" --target-dir "$tools/target"
fi

if [ "$(cat "$tools/node_modules/typescript-language-server/package.json" 2>/dev/null | grep -o '"version": "[^"]*"')" != '"version": "4.4.1"' ]; then
    npm install --prefix "$tools" --no-audit --no-fund --save-exact \
        typescript-language-server@4.4.1 typescript@5.9.3
fi
echo "bench tools ready in $tools"
