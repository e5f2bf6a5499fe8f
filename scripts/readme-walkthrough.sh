#!/usr/bin/env bash
# Runs the README's curl walkthrough, as written, against a fresh local API (emulator included) and checks
# what each step answered. Only the two URL lines are pointed at free ports, so that it can run beside a
# developer's own scripts/run-local.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
scripts/setup.sh
api_port=$(free_port); emulator_port=$(free_port)
log=$(mktemp)
PORT=$api_port EMULATOR_PORT=$emulator_port setsid scripts/run-local.sh >"$log" 2>&1 &
runner=$!
trap 'kill -- -"$runner" 2>/dev/null || true; rm -f "$log" "${block:-}"' EXIT
for _ in $(seq 1 600); do
  grep -q "API listening" "$log" && break
  kill -0 "$runner" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
grep -q "API listening" "$log" || { echo "the local API did not start"; cat "$log"; exit 1; }

block=$(mktemp)
sed -n '/<!-- walkthrough:start -->/,/<!-- walkthrough:end -->/p' README.md | sed '1,2d;$d' | sed '$d' >"$block"
sed -i "s|^API=http://localhost:3000$|API=http://localhost:$api_port|; s|^EMULATOR=http://127.0.0.1:3001$|EMULATOR=http://127.0.0.1:$emulator_port|" "$block"
grep -q "localhost:$api_port" "$block" || { echo "README walkthrough: API= line not found"; exit 1; }
output=$(bash -euo pipefail "$block")
echo "$output"

expect() { grep -q -- "$1" <<<"$output" || { echo "README walkthrough: expected $2"; exit 1; }; }
expect '"userSub"' "sign-up to answer a userSub"
expect '"username":"alice"' "the profile of alice"
[ "$(grep -c '"status":"SUCCESS"' <<<"$output")" -ge 2 ] || { echo "README walkthrough: confirm and logout should succeed"; exit 1; }
[ "$(grep -c '"accessToken"' <<<"$output")" -ge 1 ] || { echo "README walkthrough: refresh should answer tokens"; exit 1; }
expect '"code":"not_authorized"' "the refresh after logout to be refused"
echo "README walkthrough: 1 passed, 0 failed"
