#!/usr/bin/env bash
# Runs every test: the template checks; Rust unit, handler and HTTP integration tests (against one shared
# Cognito emulator, each test on its own pool); the emulator's own tests; the README's walkthrough as
# written; and schemathesis against the OpenAPI contract. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

# template.yaml validates and lints clean, offline (cfn-lint exits non-zero on a warning too).
SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1} .venv/bin/sam validate --lint
.venv/bin/cfn-lint template.yaml

pid_file=$(mktemp)
ready=$(scripts/emulator.sh "$pid_file" --port 0)
trap 'kill "$(cat "$pid_file")" 2>/dev/null || true; rm -f "$pid_file"' EXIT INT TERM
COGNITO_EMULATOR_URL=$(.venv/bin/python -c 'import json,sys; print(json.loads(sys.argv[1])["endpoint"])' "$ready")
export COGNITO_EMULATOR_URL

cargo test --workspace --all-targets "$@"
(cd emulator && ../.venv/bin/python -m pytest -q -p no:cacheprovider tests)
scripts/readme-walkthrough.sh | tail -n 1
scripts/schemathesis.sh
scripts/browser-test.sh
