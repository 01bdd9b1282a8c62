#!/usr/bin/env bash
# `make demo`: the main job on the built-in emulator. Grown by each piece of work.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/websets-sync --version

# --- emulator (foundation): the local Websets API answering real HTTP requests -----------------
emu_log=$(mktemp)
.venv/bin/websets-sync emulator serve --port 0 >"$emu_log" &
emu_pid=$!
trap 'kill "$emu_pid" 2>/dev/null || true; rm -f "$emu_log"' EXIT
for _ in $(seq 50); do grep -q http "$emu_log" && break; sleep 0.1; done
cat "$emu_log"
emu_url=$(grep -o 'http://[^ ]*/websets/v0' "$emu_log")
.venv/bin/python - "$emu_url" <<'PY'
import sys, httpx
api, key = sys.argv[1], {"x-api-key": "demo"}
made = httpx.post(f"{api}/websets", headers=key, json={"externalId": "demo-leads",
                  "search": {"query": "AI startups in Berlin", "count": 3}})
print("POST /websets ->", made.status_code, made.json()["id"], made.json()["status"])
got = httpx.get(f"{api}/websets/demo-leads", headers=key).json()
print("GET /websets/demo-leads ->", got["title"], "| searches:", [s["status"] for s in got["searches"]])
print("POST again ->", httpx.post(f"{api}/websets", headers=key, json={"externalId": "demo-leads"}).json())
PY
kill "$emu_pid"; wait "$emu_pid" 2>/dev/null || true
