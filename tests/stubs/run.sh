#!/usr/bin/env bash
# Checks the generated TypeScript stubs (editors/stubs/llmspell.d.ts) with the real TypeScript
# compiler, at the exact version of tests/stubs/package-lock.json:
#   1. every example spell (spells/*.js, ES modules with top-level await) type-checks with zero
#      errors against the stubs (tsconfig.json: allowJs + checkJs);
#   2. tests/stubs/bad.js, a file of deliberate mistakes, produces exactly the errors in
#      tests/stubs/bad.expected.txt (tsconfig.bad.json).
# Installs the compiler first if needed (scripts/tools/typescript.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/tools/typescript.sh
cd tests/stubs
tsc=node_modules/.bin/tsc

echo "stubs: tsc --noEmit over spells/*.js"
"$tsc" -p tsconfig.json

echo "stubs: tsc over bad.js reports the expected errors"
status=0
actual="$("$tsc" -p tsconfig.bad.json)" || status=$?
if [ "$status" -eq 0 ]; then
    echo "stubs: tsc found no error in bad.js" >&2
    exit 1
fi
if ! diff -u bad.expected.txt <(printf '%s\n' "$actual"); then
    echo "stubs: tsc's errors for bad.js differ from bad.expected.txt (above)" >&2
    exit 1
fi
echo "stubs: ok"
