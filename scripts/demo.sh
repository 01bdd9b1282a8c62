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

# --- main job (ecosystem): validate, plan, apply, plan again — on every example set -------------
# Everything lives in a temp folder (emulator data, state files, exports), so reruns start fresh.
demo_dir=$(mktemp -d "${TMPDIR:-/tmp}/websets-sync-demo.XXXXXX")
trap 'rm -rf "$demo_dir"; rm -f "${emu_log:-}"' EXIT
if [ -t 1 ] && [ -z "${NO_COLOR+set}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
ws() { printf '$ websets-sync %s\n' "$*"; .venv/bin/websets-sync "$@"; }

for example in examples/*/; do
  example=${example%/}
  find "$example" -name '*.yaml' | grep -q . || continue  # examples/github holds CI recipes
  name=$(basename "$example")
  emu=(--emulator "$demo_dir/emulator.json" --state "$demo_dir/$name/state.json")
  step "$name: 1. validate (offline, no API key)"
  ws validate "$example"
  step "$name: 2. plan against the emulator"
  ws "${emu[@]}" plan "$example"
  step "$name: 3. apply"
  ws "${emu[@]}" apply "$example" --auto-approve
  step "$name: 4. plan again: nothing left to do"
  ws "${emu[@]}" plan "$example" --detailed-exitcode || {
    echo "demo: the plan after apply is not empty" >&2
    exit 1
  }
done

step "export: the live account back to manifests, which plan with no changes"
emu=(--emulator "$demo_dir/emulator.json" --state "$demo_dir/quickstart/state.json")
ws "${emu[@]}" export --project quickstart --out "$demo_dir/exported"
sed -n '1,12p' "$demo_dir/exported/eu-ai-series-a.yaml"
echo "  ..."
ws "${emu[@]}" plan "$demo_dir/exported" --detailed-exitcode
step "state: what apply remembers (webhook secrets are masked)"
ws --state "$demo_dir/multi-file/state.json" state list

# --- apply (apply): a flaky API — 5xx errors and lost responses — and still no duplicates ------
step "apply against a flaky API: 15% errors, 25% lost responses; nothing is created twice"
flaky_log="$demo_dir/flaky.log"
.venv/bin/websets-sync emulator serve --port 0 --data "$demo_dir/flaky.json" --seed 4 \
  --error-rate 0.15 --lost-response-rate 0.25 >"$flaky_log" &
flaky_pid=$!
for _ in $(seq 50); do grep -q http "$flaky_log" && break; sleep 0.1; done
flaky=(--api-url "$(grep -o 'http://[^ ]*/websets/v0' "$flaky_log")" --state "$demo_dir/flaky/state.json")
EXA_API_KEY=demo ws "${flaky[@]}" apply examples/multi-file --auto-approve | grep -v '^      '
EXA_API_KEY=demo ws "${flaky[@]}" plan examples/multi-file --detailed-exitcode | tail -n 3
ws --state "$demo_dir/flaky/state.json" state list | grep -E 'ADDRESS|webhook/'
kill "$flaky_pid"; wait "$flaky_pid" 2>/dev/null || true
printf '\nDemo finished: every example set validated, planned, applied and re-planned with no changes.\n'
