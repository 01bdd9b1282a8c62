#!/usr/bin/env bash
# `make demo`: the main job on the built-in emulator. Grown by each piece of work.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/websets-sync --version
