#!/usr/bin/env bash
# Runs the whole API locally: the Cognito emulator (seeded pool and client) and the local server on
# http://localhost:${PORT:-3000} (listening on 127.0.0.1 only). Serve a web app on localhost too: a
# browser keeps the session cookie only between a page and an API of the same site. With USER_POOL_ID and
# an endpoint (or real AWS credentials) already in the environment, it starts no emulator and serves
# against that pool instead.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${USER_POOL_ID:-}" ]; then
  echo "Using the user pool from the environment: $USER_POOL_ID (no emulator)" >&2
else
  scripts/setup.sh
  pid_file=$(mktemp)
  ready=$(scripts/emulator.sh "$pid_file" --seed --port "${EMULATOR_PORT:-3001}")
  trap 'kill "$(cat "$pid_file")" 2>/dev/null || true; rm -f "$pid_file"' EXIT INT TERM
  read -r endpoint pool client < <(.venv/bin/python -c '
import json, sys
r = json.loads(sys.argv[1]); print(r["endpoint"], r["userPoolId"], r["clientId"])' "$ready")
  export AWS_ENDPOINT_URL=$endpoint USER_POOL_ID=$pool USER_POOL_CLIENT_ID=$client
  export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
  # The seeded pool signs in by password, email code, SMS code or passkey (its WebAuthnConfiguration names
  # the relying party localhost, which the API reads from the pool); decoy sessions need a key.
  export SIGN_IN_METHODS=${SIGN_IN_METHODS:-PASSWORD,EMAIL_OTP,SMS_OTP,WEB_AUTHN}
  export LOGIN_SESSION_KEY=${LOGIN_SESSION_KEY:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')}
  # The abuse limits, with their defaults, on a counters table in the emulator's DynamoDB (made as the
  # template makes it; it lives as long as the emulator, so it outlives a restart of the API).
  export RATE_LIMIT_TABLE=${RATE_LIMIT_TABLE:-rate-limits}
  .venv/bin/python scripts/limits-table.py "$endpoint" "$RATE_LIMIT_TABLE"
  echo "Cognito emulator: $endpoint  pool: $pool  client: $client" >&2
  echo "Codes sent to users: $endpoint/_emulator/messages?userPoolId=$pool" >&2
fi
cargo build --quiet -p local
target/debug/local
