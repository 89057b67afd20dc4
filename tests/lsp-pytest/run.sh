#!/usr/bin/env bash
# The language server against pytest-lsp (its client checks every message against the LSP
# specification and the recorded capabilities of Neovim and VS Code). Needs $LLMSPELL_BIN
# (scripts/test.sh builds it) and the venv from scripts/tools/pytest-lsp.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"
export LLMSPELL_BIN="${LLMSPELL_BIN:-$root/target/debug/llmspell}"
python="$root/.tools/venv/bin/python"
# Idempotent: a no-op when the venv already has the pinned versions.
bash scripts/tools/pytest-lsp.sh >/dev/null
if [ ! -x "$LLMSPELL_BIN" ]; then
    echo "tests/lsp-pytest: no llmspell binary at $LLMSPELL_BIN (set LLMSPELL_BIN)" >&2
    exit 1
fi
exec timeout 600 "$python" -m pytest -q -p no:cacheprovider -c tests/lsp-pytest/pytest.ini tests/lsp-pytest
