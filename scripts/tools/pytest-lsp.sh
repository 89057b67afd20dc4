#!/usr/bin/env bash
# Installs pytest-lsp (the LSP test client with recorded Neovim and VS Code capability profiles)
# and its dependencies, at the exact versions in tests/lsp-pytest/requirements.txt, into a venv
# at .tools/venv. Idempotent: does nothing when that venv already has exactly those versions.
set -euo pipefail
cd "$(dirname "$0")/../.."
requirements="tests/lsp-pytest/requirements.txt"
venv=".tools/venv"
stamp="$venv/.requirements"
if [ -x "$venv/bin/python" ] && [ -e "$stamp" ] && cmp -s "$requirements" "$stamp"; then
    exit 0
fi
python="${PYTHON:-python3}"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$requirements"
"$venv/bin/python" -m pip check --disable-pip-version-check >/dev/null
cp "$requirements" "$stamp"
"$venv/bin/python" -c 'import importlib.metadata as m; print("pytest-lsp", m.version("pytest-lsp"), "pygls", m.version("pygls"))'
