#!/usr/bin/env bash
# Runs the whole test suite: what the README tells a new user to run, and what CI runs.
#
# 1. Installs the pinned test clients (headless Neovim, pytest-lsp, npm harnesses) into .tools/
#    and the suites' own folders, from the project's scripts (scripts/tools/*.sh).
# 2. cargo test for the whole workspace.
# 3. Every end-to-end suite: tests/*/run.sh, run against the debug binary target/debug/llmspell.
# Every step runs even when an earlier one failed; the exit status says whether all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

failed=()
bash scripts/install-test-tools.sh || failed+=("install-test-tools")

cargo test --workspace --locked --no-fail-fast || failed+=("cargo test")

if cargo build --locked --quiet --bin llmspell; then
    export LLMSPELL_BIN="$root/target/debug/llmspell"
    for suite in tests/*/run.sh; do
        [ -e "$suite" ] || continue
        echo "==> $suite"
        bash "$suite" || failed+=("$suite")
    done
else
    failed+=("cargo build")
fi

if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "all test suites passed"
