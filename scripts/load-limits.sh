#!/usr/bin/env bash
# The abuse limits under load (scripts/load-limits.py): 10,000 requests at concurrency 50 against the
# release build of the local server on its own emulator; prints a Markdown summary (BENCHMARKS.md) and
# fails if any answer is 5xx or any key let through other than its limit. On demand, not in test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo build --release --quiet -p local
exec .venv/bin/python scripts/load-limits.py "$@"
