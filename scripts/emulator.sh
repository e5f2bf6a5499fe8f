#!/usr/bin/env bash
# Starts the Cognito emulator in the background and prints its readiness line (one JSON object) on
# stdout. Usage: scripts/emulator.sh <pid-file> [--seed] [--port N]
set -euo pipefail
cd "$(dirname "$0")/.."
pid_file=$1; shift
fifo=$(mktemp -u); mkfifo "$fifo"
(cd emulator && exec ../.venv/bin/python -m cognito_emulator serve "$@" >"$fifo") &
echo $! > "$pid_file"
# The first line is the readiness line; keep draining stdout afterwards so the emulator never blocks.
{ IFS= read -r line; echo "$line"; cat >/dev/null & } <"$fifo"
rm -f "$fifo"
