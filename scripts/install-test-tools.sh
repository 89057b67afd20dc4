#!/usr/bin/env bash
# Installs the pinned clients the end-to-end suites drive, by running every scripts/tools/*.sh.
# Each installer is idempotent (it checks the pinned version before installing) and puts its
# tools under .tools/ or inside its suite's folder, never system-wide.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools
for installer in scripts/tools/*.sh; do
    [ -e "$installer" ] || continue
    bash "$installer"
done
