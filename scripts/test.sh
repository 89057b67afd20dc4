#!/usr/bin/env bash
# Runs the whole test suite: what the README tells a new user to run, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --locked --no-fail-fast
