#!/usr/bin/env bash
# Installs the TypeScript compiler the stub check uses (the exact version of
# tests/stubs/package-lock.json) into tests/stubs/node_modules. Idempotent: runs `npm ci` only
# when node_modules is missing or older than the lockfile.
set -euo pipefail
cd "$(dirname "$0")/../.."
suite=tests/stubs
marker="$suite/node_modules/.package-lock.json"

if ! command -v npm >/dev/null 2>&1; then
    echo "typescript.sh: npm not found; install Node.js 20 or newer" >&2
    exit 1
fi

if [ -f "$marker" ] && [ ! "$suite/package-lock.json" -nt "$marker" ]; then
    echo "typescript.sh: $suite/node_modules is up to date"
    exit 0
fi

echo "typescript.sh: npm ci in $suite"
npm ci --prefix "$suite" --no-audit --no-fund --loglevel=error
