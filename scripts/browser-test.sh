#!/usr/bin/env bash
# The real-browser test of browser mode (SESSION_COOKIE=true): headless Chromium, driven by Playwright,
# runs an app page on http://localhost:<app> against the local API in cookie mode on http://localhost:<api>
# (same site, another origin: CORS with credentials), and attacker pages on http://localhost:<other>
# (same site, not allowed) and http://127.0.0.1:<port> (another site). Then the example page
# examples/web (passwordless sign-up, email codes, passkeys with a virtual authenticator) on its own
# origin, against a second API in cookie mode with passkeys, on an emulator pool with WebAuthn for
# that origin. See browser-tests/.
#
# Installs what it needs: Debian's chromium (apt-get, as root) and Playwright, pinned, into .venv
# (never `playwright install`: no browser download). Without a way to install Chromium (not root, no
# apt-get) it prints "browser test SKIPPED: <why>" and exits 0, except with CI=true, where that fails.
# Everything it starts listens on loopback only and is stopped by PID on exit.
#
# Usage: scripts/browser-test.sh [pytest options]
#   BROWSER_TEST_CHROMIUM=/path/to/chromium uses that binary; screenshots and logs go to target/browser/.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
artifacts=$PWD/target/browser

skip() {
  if [ "${CI:-}" = true ]; then
    echo "browser test FAILED: $1 (CI=true: a missing browser is a failure, not a skip)" >&2
    exit 1
  fi
  echo "browser test SKIPPED: $1"
  exit 0
}

# Debian's /usr/bin/chromium is a shell wrapper (it reads /etc/chromium.d and adds flags); Playwright
# launches the real binary behind it.
find_chromium() {
  local candidate=${BROWSER_TEST_CHROMIUM:-/usr/lib/chromium/chromium}
  [ -x "$candidate" ] && echo "$candidate"
}

if ! chromium=$(find_chromium); then
  [ -n "${BROWSER_TEST_CHROMIUM:-}" ] && skip "BROWSER_TEST_CHROMIUM=$BROWSER_TEST_CHROMIUM is not an executable"
  [ "$(id -u)" = 0 ] || skip "Chromium is not installed, and installing it (apt-get install chromium) needs root"
  command -v apt-get >/dev/null || skip "Chromium is not installed, and there is no apt-get to install it"
  echo "browser test: installing Debian's chromium (apt-get)" >&2
  apt_log=$(mktemp)
  apt_install() {
    DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -q --no-install-recommends \
      -o DPkg::Lock::Timeout=120 chromium >>"$apt_log" 2>&1
  }
  if ! apt_install; then
    # Most often a missing or stale package list.
    DEBIAN_FRONTEND=noninteractive timeout 300 apt-get update -q -o DPkg::Lock::Timeout=120 >>"$apt_log" 2>&1 || true
    if ! apt_install; then
      tail -n 5 "$apt_log" >&2
      rm -f "$apt_log"
      skip "apt-get install chromium failed (see above)"
    fi
  fi
  rm -f "$apt_log"
  chromium=$(find_chromium) || skip "apt-get installed chromium, but /usr/lib/chromium/chromium is not there"
fi
echo "browser test: $(timeout 30 "$chromium" --version 2>/dev/null || echo "$chromium")" >&2

# The project's .venv (emulator, pytest), then Playwright, pinned (again only when its requirements changed).
scripts/setup.sh
stamp=.venv/.browser.sha256
want=$(sha256sum requirements-browser.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! .venv/bin/python -c 'import playwright' 2>/dev/null; then
  echo "browser test: installing Playwright (pinned)" >&2
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 600 .venv/bin/pip install --quiet --disable-pip-version-check \
    -r requirements-browser.txt
  echo "$want" > "$stamp"
fi

# The local API, built before anything starts (the machine's cores are shared: nice).
timeout 2400 nice -n 10 cargo build --quiet -p local
local_bin=${CARGO_TARGET_DIR:-target}/debug/local

work=$(mktemp -d)
mkdir -p "$artifacts"
rm -f "$artifacts"/*.png "$artifacts"/*.log "$artifacts"/cookies.txt
emulator_pid_file=$work/emulator.pid
static_pid= api_pid= web_static_pid= web_api_pid= pytest_pid=
cleanup() {
  set +e
  for pid in $pytest_pid $api_pid $static_pid $web_api_pid $web_static_pid; do kill "$pid" 2>/dev/null; done
  [ -n "$pytest_pid" ] && wait "$pytest_pid" 2>/dev/null
  [ -s "$emulator_pid_file" ] && kill "$(cat "$emulator_pid_file")" 2>/dev/null
  for pid in $api_pid $static_pid $web_api_pid $web_static_pid; do wait "$pid" 2>/dev/null; done
  cp "$work"/*.log "$artifacts"/ 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Waits (bounded, 30 s) for the first line of file $1 to start with $2 (while process $3 lives); prints it.
first_line() {
  local file=$1 prefix=$2 pid=$3 line
  for _ in $(seq 1 300); do
    line=$(head -n1 "$file" 2>/dev/null || true)
    case $line in "$prefix"*) echo "$line"; return 0 ;; esac
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  return 1
}

# The pages: app, same-site attacker, cross-site attacker, each on its own free loopback port.
.venv/bin/python browser-tests/serve.py --root browser-tests/static --count 3 \
  >"$work/static.out" 2>"$work/static.log" &
static_pid=$!
ports=$(first_line "$work/static.out" '{"ports"' "$static_pid") || { echo "the static server did not start" >&2; cat "$work/static.log" >&2; exit 1; }
read -r app_port same_site_port cross_site_port < <(.venv/bin/python -c '
import json, sys; print(*json.loads(sys.argv[1])["ports"])' "$ports")

# The Cognito emulator, with its seeded pool and client.
ready=$(timeout 60 scripts/emulator.sh "$emulator_pid_file" --seed --port 0)
read -r endpoint pool client < <(.venv/bin/python -c '
import json, sys
r = json.loads(sys.argv[1]); print(r["endpoint"], r["userPoolId"], r["clientId"])' "$ready")

# The API in cookie mode, with run-local.sh's environment, allowing the app's origin only.
app_origin=http://localhost:$app_port
env -i PATH="$PATH" PORT=0 USER_POOL_ID="$pool" USER_POOL_CLIENT_ID="$client" AWS_REGION=us-east-1 \
  AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local RUST_LOG=info \
  SESSION_COOKIE=true ALLOWED_ORIGINS="$app_origin" \
  "$local_bin" >"$work/api.out" 2>"$work/api.log" &
api_pid=$!
url=$(first_line "$work/api.out" "API listening on http://" "$api_pid") || { echo "the local API did not start" >&2; cat "$work/api.log" >&2; exit 1; }
api_port=${url##*:}
echo "browser test: app $app_origin, API http://localhost:$api_port (SESSION_COOKIE=true," \
  "ALLOWED_ORIGINS=$app_origin), attackers http://localhost:$same_site_port and" \
  "http://127.0.0.1:$cross_site_port, emulator $endpoint" >&2

# The example page (examples/web) on its own origin, with its own API: cookie mode for that origin only,
# passkeys on, on an emulator pool whose WebAuthn relying party is localhost and accepts that origin.
.venv/bin/python browser-tests/serve.py --root examples/web --count 1 \
  >"$work/web-static.out" 2>"$work/web-static.log" &
web_static_pid=$!
ports=$(first_line "$work/web-static.out" '{"ports"' "$web_static_pid") || { echo "the example's static server did not start" >&2; cat "$work/web-static.log" >&2; exit 1; }
web_origin=http://localhost:$(.venv/bin/python -c 'import json, sys; print(json.loads(sys.argv[1])["ports"][0])' "$ports")
sign_in_methods=PASSWORD,EMAIL_OTP,SMS_OTP,WEB_AUTHN
read -r web_pool web_client < <(.venv/bin/python - "$endpoint" "$web_origin" "$sign_in_methods" <<'EOF'
import json, sys, urllib.request
endpoint, origin, methods = sys.argv[1:]
body = {"name": "web-example", "firstFactors": methods.split(","),
        "webAuthn": {"relyingPartyId": "localhost", "origins": [origin]}}
request = urllib.request.Request(endpoint + "/_emulator/pools", json.dumps(body).encode(),
                                 {"Content-Type": "application/json"})
pool = json.load(urllib.request.urlopen(request, timeout=30))
print(pool["userPoolId"], pool["clientId"])
EOF
)
env -i PATH="$PATH" PORT=0 USER_POOL_ID="$web_pool" USER_POOL_CLIENT_ID="$web_client" AWS_REGION=us-east-1 \
  AWS_ENDPOINT_URL="$endpoint" AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local RUST_LOG=info \
  SESSION_COOKIE=true ALLOWED_ORIGINS="$web_origin" SIGN_IN_METHODS="$sign_in_methods" \
  LOGIN_SESSION_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
  "$local_bin" >"$work/web-api.out" 2>"$work/web-api.log" &
web_api_pid=$!
url=$(first_line "$work/web-api.out" "API listening on http://" "$web_api_pid") || { echo "the example's API did not start" >&2; cat "$work/web-api.log" >&2; exit 1; }
web_api=http://localhost:${url##*:}
echo "browser test: example page $web_origin/index.html, API $web_api (SESSION_COOKIE=true," \
  "ALLOWED_ORIGINS=$web_origin, SIGN_IN_METHODS=$sign_in_methods)," \
  "pool $web_pool (WebAuthn: localhost, origins $web_origin)" >&2

status=0
BT_API=http://localhost:$api_port BT_APP=$app_origin \
  BT_SAME_SITE=http://localhost:$same_site_port BT_CROSS_SITE=http://127.0.0.1:$cross_site_port \
  BT_EMULATOR=$endpoint BT_POOL=$pool BT_CHROMIUM=$chromium BT_ARTIFACTS=$artifacts \
  BT_WEB_API=$web_api BT_WEB_APP=$web_origin BT_WEB_POOL=$web_pool \
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
  timeout 900 .venv/bin/python -m pytest -v -p no:cacheprovider --rootdir browser-tests \
  --junitxml="$work/junit.xml" browser-tests "$@" &
pytest_pid=$!  # in the background so that a TERM stops it too (the trap runs during `wait`)
wait "$pytest_pid" || status=$?
pytest_pid=

# Which cookies the pages' own servers received (names only): cookies are not isolated by port.
.venv/bin/python -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' \
  "http://127.0.0.1:$app_port/_seen" >"$work/seen.log" 2>/dev/null || true
echo "browser test: cookie names the page servers received, by port: $(cat "$work/seen.log")" >&2
[ -s "$artifacts/cookies.txt" ] && echo "browser test: Chromium's cookie decisions: $artifacts/cookies.txt" >&2
echo "browser test: screenshots in $artifacts/" >&2

counts=$(.venv/bin/python - "$work/junit.xml" <<'EOF' || echo "0 passed, 1 failed"
import sys, xml.etree.ElementTree as ET
suite = ET.parse(sys.argv[1]).getroot()
suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
tests, failures, errors, skipped = (int(suite.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
line = f"{tests - failures - errors - skipped} passed, {failures + errors} failed"
print(line + (f", {skipped} skipped" if skipped else ""))
EOF
)
echo "browser test took $(( $(date +%s) - started )) s"
echo "browser: $counts"
exit "$status"
