#!/usr/bin/env bash
# Runs the TextMate grammar tests: loads editors/vscode/syntaxes/rhai.tmLanguage.json with
# vscode-textmate and checks how it tokenizes Rhai. Installs the harness first if needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/tools/textmate.sh
node --test tests/textmate/
