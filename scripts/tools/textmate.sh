#!/usr/bin/env bash
# Installs the TextMate test harness (vscode-textmate and vscode-oniguruma, the tokenizer and
# regex engine VS Code uses, at the exact versions of tests/textmate/package-lock.json) into
# tests/textmate/node_modules. Idempotent: runs `npm ci` only when node_modules is missing or
# older than the lockfile.
set -euo pipefail
cd "$(dirname "$0")/../.."
suite=tests/textmate
marker="$suite/node_modules/.package-lock.json"

if ! command -v npm >/dev/null 2>&1; then
    echo "textmate.sh: npm not found; install Node.js 20 or newer" >&2
    exit 1
fi

if [ -f "$marker" ] && [ ! "$suite/package-lock.json" -nt "$marker" ]; then
    echo "textmate.sh: $suite/node_modules is up to date"
    exit 0
fi

echo "textmate.sh: npm ci in $suite"
npm ci --prefix "$suite" --no-audit --no-fund --prefer-offline --loglevel=error
