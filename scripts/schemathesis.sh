#!/usr/bin/env bash
# Contract test: Schemathesis generates requests from the OpenAPI document the local server generates from
# the code and serves at /openapi.json (the same as the committed openapi.yaml) for every
# route and checks each answer against it: no server error (5xx), the status code is one the route
# documents, the body matches the documented schema, and the documented headers and content type are
# there. It runs against the local server on a seeded Cognito emulator, with a fixed seed, so a run is
# reproducible. Prints a summary and exits non-zero on any failure; both processes are always stopped.
#
# Usage: scripts/schemathesis.sh [extra schemathesis options]
#   ST_MAX_EXAMPLES (default 20): test cases per route and generation mode; ST_SEED (default 20260101);
#   ST_PHASES (default examples,fuzzing; add `coverage` for its boundary and wrong-method cases, ~1400 more);
#   ST_CHECKS (default: the five above; `all` adds e.g. negative_data_rejection, unsupported_method);
#   ST_KEEP=1 keeps the work directory (server log, Schemathesis's event log).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# Schemathesis, pinned, into the project's .venv (again only when the requirements changed).
stamp=.venv/.schemathesis.sha256
want=$(sha256sum requirements-schemathesis.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/schemathesis ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "schemathesis: installing (pinned)" >&2
  .venv/bin/pip install --quiet --disable-pip-version-check -r requirements-schemathesis.txt
  echo "$want" > "$stamp"
fi

work=$(mktemp -d)
emulator_pid_file=$work/emulator.pid
api_pid=
cleanup() {
  set +e
  if [ -n "$api_pid" ]; then kill "$api_pid" 2>/dev/null; wait "$api_pid" 2>/dev/null; fi
  if [ -s "$emulator_pid_file" ]; then kill "$(cat "$emulator_pid_file")" 2>/dev/null; fi
  if [ -n "${ST_KEEP:-}" ]; then echo "schemathesis: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The emulator, with its seeded pool and client.
ready=$(scripts/emulator.sh "$emulator_pid_file" --seed --port 0)
read -r endpoint pool client < <(.venv/bin/python -c '
import json, sys
r = json.loads(sys.argv[1]); print(r["endpoint"], r["userPoolId"], r["clientId"])' "$ready")

# The local server, with the environment the HTTP tests give it (local/tests/it/support/mod.rs).
cargo build --quiet -p local
env -i PATH="$PATH" PORT=0 USER_POOL_ID="$pool" USER_POOL_CLIENT_ID="$client" AWS_REGION=us-east-1 \
  AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local RUST_LOG=info \
  target/debug/local >"$work/api.out" 2>"$work/api.log" &
api_pid=$!
url=
for _ in $(seq 1 300); do
  line=$(head -n1 "$work/api.out" 2>/dev/null || true)
  case $line in "API listening on "*) url=${line#API listening on }; break ;; esac
  kill -0 "$api_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "schemathesis: the local server did not start" >&2
  cat "$work/api.log" >&2
  exit 1
fi
echo "schemathesis: API $url, Cognito emulator $endpoint (pool $pool)" >&2

# One confirmed user. Every request to an authenticated route carries a fresh access token of theirs
# (`Authorization: Bearer`, from a login made just for it: another generated request may have logged them
# out), so those routes are exercised past the credential check too. A body with `loginSession` gets no
# header: that is the login form of the TOTP routes. The generated passwords never match, so the user
# survives /account/delete and /password/change.
export ST_API_URL=$url ST_USER=schemathesis ST_PASSWORD='Corr3ct-Horse!'
.venv/bin/python - "$endpoint" "$pool" <<'EOF'
import json, os, sys, urllib.request
endpoint, pool = sys.argv[1:]
url, user, password = os.environ["ST_API_URL"], os.environ["ST_USER"], os.environ["ST_PASSWORD"]
def post(path, body):
    request = urllib.request.Request(url + path, json.dumps(body).encode(), {"content-type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)
post("/signup", {"username": user, "password": password,
                 "attributes": [{"Name": "email", "Value": "schemathesis@example.com"}]})
query = f"{endpoint}/_emulator/messages?userPoolId={pool}&username={user}"
code = [m["code"] for m in json.load(urllib.request.urlopen(query))["messages"] if m["kind"] == "SIGN_UP"][-1]
post("/signup/confirm", {"username": user, "confirmationCode": code})
EOF
cat >"$work/hooks.py" <<'EOF'
import json, os, urllib.request
import schemathesis

AUTHENTICATED = r"^/(logout|mfa/.*|profile/.*|password/change|account/delete)$"

@schemathesis.auth(refresh_interval=None).apply_to(path_regex=AUTHENTICATED)
class FreshAccessToken:
    def get(self, case, ctx):
        body = json.dumps({"username": os.environ["ST_USER"], "password": os.environ["ST_PASSWORD"]}).encode()
        request = urllib.request.Request(os.environ["ST_API_URL"] + "/login", body, {"content-type": "application/json"})
        with urllib.request.urlopen(request) as response:
            return json.load(response)["accessToken"]

    def set(self, case, token, ctx):
        if isinstance(case.body, dict) and "loginSession" in case.body:
            return
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
EOF
export SCHEMATHESIS_HOOKS=$work/hooks.py

started=$(date +%s)
status=0
.venv/bin/schemathesis run "$url/openapi.json" \
  --checks "${ST_CHECKS:-not_a_server_error,status_code_conformance,response_schema_conformance,content_type_conformance,response_headers_conformance}" \
  --phases "${ST_PHASES:-examples,fuzzing}" \
  --max-examples "${ST_MAX_EXAMPLES:-20}" \
  --seed "${ST_SEED:-20260101}" \
  --generation-database none \
  --workers 1 \
  --request-timeout 30 \
  --report ndjson --report-ndjson-path "$work/events.ndjson" \
  --no-color \
  "$@" || status=$?
elapsed=$(( $(date +%s) - started ))

# The summary, from Schemathesis's event log: requests it sent, the statuses they got, failed checks.
summary=0
.venv/bin/python - "$work/events.ndjson" "$elapsed" "$status" <<'EOF' || summary=$?
import collections, json, sys
events, elapsed, status = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
statuses, failed, routes = collections.Counter(), collections.Counter(), set()
try:
    lines = open(events).readlines()
except FileNotFoundError:
    lines = []
for line in lines:
    scenario = json.loads(line).get("ScenarioFinished")
    if not scenario:
        continue
    recorder = scenario.get("recorder") or {}
    for interaction in (recorder.get("interactions") or {}).values():
        response = interaction.get("response") or {}
        statuses[str(response.get("status_code", "no answer"))] += 1
        routes.add(recorder.get("label"))
    for checks in (recorder.get("checks") or {}).values():
        for check in checks:
            if check.get("status") == "failure":
                failed[check["name"]] += 1
server_errors = sum(n for code, n in statuses.items() if code.startswith("5") or code == "no answer")
print(f"schemathesis summary: {sum(statuses.values())} requests on {len(routes)} routes "
      f"({', '.join(f'{code}: {n}' for code, n in sorted(statuses.items()))}); "
      f"{sum(failed.values())} failed checks{' (' + ', '.join(f'{k}: {v}' for k, v in failed.items()) + ')' if failed else ''}; "
      f"{server_errors} server errors; {elapsed} s; schemathesis exit status {status}")
sys.exit(1 if server_errors or failed or not statuses else 0)
EOF
if [ "$status" -ne 0 ] || [ "$summary" -ne 0 ]; then
  echo "schemathesis: FAILED (see above; server log tail below)" >&2
  tail -n 20 "$work/api.log" >&2
  exit 1
fi
echo "schemathesis: passed" >&2
