#!/usr/bin/env bash
# `make demo`: a short, narrated tour of websets-sync on the built-in emulator (no Exa account).
# validate → plan → apply → plan (no changes) → export, then every other example set in one line
# each, and an apply against a flaky API that creates nothing twice. Everything happens in a
# temporary folder, so reruns start fresh.
set -euo pipefail
cd "$(dirname "$0")/.."
cli=${WEBSETS_SYNC:-.venv/bin/websets-sync}
demo_dir=$(mktemp -d "${TMPDIR:-/tmp}/websets-sync-demo.XXXXXX")
trap 'kill "${flaky_pid:-}" 2>/dev/null || true; rm -rf "$demo_dir"' EXIT
if [ -t 1 ] && [ -z "${NO_COLOR+set}" ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
say() { printf '\n%s%s%s\n' "$bold" "$*" "$plain"; }
# The command as typed, with the temporary folder shown as $DEMO.
ws() { local shown="$*"; printf '$ websets-sync %s\n' "${shown//$demo_dir/\$DEMO}"; "$cli" "$@"; }
emu=(--emulator "$demo_dir/emulator.json" --state "$demo_dir/state.json")

say "websets-sync $("$cli" --version | awk '{print $NF}'): Exa Websets as code. The manifest:"
sed -n '/^websets:/,$p' examples/quickstart/websets.yaml

say "1. validate checks the manifests offline: no API key, every problem at file:line:col."
ws validate examples/quickstart

say "2. plan reads the live account (here: the built-in emulator) and shows what would change."
ws "${emu[@]}" plan examples/quickstart

say "3. apply makes exactly that change (--auto-approve: no prompt, as in CI)."
ws "${emu[@]}" apply examples/quickstart --auto-approve | grep -v '^      '

say "4. plan again: the account matches the manifests, so there is nothing to do (exit 0)."
ws "${emu[@]}" plan examples/quickstart --detailed-exitcode

say "5. export turns live state back into manifests (e.g. to adopt websets made by hand)."
ws "${emu[@]}" export --project quickstart --out "$demo_dir/exported" 2>/dev/null
sed -n '/^websets:/,/^    searches:/p' "$demo_dir/exported/eu-ai-series-a.yaml"
ws "${emu[@]}" plan "$demo_dir/exported" --detailed-exitcode | grep -E '^([$] websets-sync|No changes|Plan:)'

say "6. The other example sets, each validated, applied and re-planned with no changes:"
for example in examples/*/; do
  example=${example%/}
  name=$(basename "$example")
  find "$example" -name '*.yaml' | grep -q . || continue  # examples/github holds CI recipes
  [ "$name" = quickstart ] && continue
  state=(--emulator "$demo_dir/emulator.json" --state "$demo_dir/$name.json")
  "$cli" validate "$example" >/dev/null
  applied=$("$cli" "${state[@]}" apply "$example" --auto-approve | tail -n 1)
  "$cli" "${state[@]}" plan "$example" --detailed-exitcode >/dev/null || {
    echo "demo: the plan after apply of $example is not empty" >&2
    exit 1
  }
  printf '  %-12s %s then: No changes.\n' "$name" "$applied"
done

say "7. A flaky API (15% errors, 25% of answers lost after the write): apply retries safely and
   reconciles unknown outcomes, so nothing is created twice and no webhook secret is lost."
: >"$demo_dir/flaky.log"
"$cli" emulator serve --port 0 --data "$demo_dir/flaky.json" --seed 4 \
  --error-rate 0.15 --lost-response-rate 0.25 >"$demo_dir/flaky.log" &
flaky_pid=$!
# A busy machine can take seconds to start it: wait for its URL (30 s at most).
for _ in $(seq 300); do grep -qs http "$demo_dir/flaky.log" && break; sleep 0.1; done
grep -qs http "$demo_dir/flaky.log" || { echo "demo: the emulator did not start" >&2; exit 1; }
flaky=(--api-url "$(grep -o 'http://[^ ]*/websets/v0' "$demo_dir/flaky.log")")
flaky+=(--state "$demo_dir/flaky-state.json")
EXA_API_KEY=demo ws "${flaky[@]}" apply examples/multi-file --auto-approve | sed -n '1p;$p'
EXA_API_KEY=demo ws "${flaky[@]}" plan examples/multi-file --detailed-exitcode | sed -n '1,2p' 
ws --state "$demo_dir/flaky-state.json" state list | grep -E 'ADDRESS|webhook/'

say "Demo finished. Next: README.md (Using it on your account) and examples/github for CI."
