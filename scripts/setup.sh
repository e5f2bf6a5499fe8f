#!/usr/bin/env bash
# Installs what the local API and the tests need, idempotently: a Python venv (.venv) with the pinned
# emulator and tooling. Re-runs pip only when a requirements file changed.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv" >&2
  "$python" -m venv .venv
fi
stamp=.venv/.requirements.sha256
requirements=(emulator/requirements.txt)
[ -f requirements-dev.txt ] && requirements+=(requirements-dev.txt)
want=$(cat "${requirements[@]}" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages (pinned)" >&2
  for file in "${requirements[@]}"; do
    .venv/bin/pip install --quiet --disable-pip-version-check -r "$file"
  done
  echo "$want" > "$stamp"
fi
