#!/usr/bin/env bash
# CI's packaging gate. Packaging the functions for arm64 (scripts/package.sh) takes minutes from cold
# dependencies, so CI runs it only when what it depends on changed since the last verified run:
# Cargo.toml, Cargo.lock, template.yaml and lambda/. `packaging.verified` records the hash of those inputs and
# the zip sizes of that run; `scripts/package-check.sh --record` runs the packaging and rewrites it.
set -euo pipefail
cd "$(dirname "$0")/.."
# The order of lambda/'s files must not depend on the locale, or the hash would.
export LC_ALL=C

inputs_hash() {
  cat Cargo.toml Cargo.lock template.yaml $(git ls-files lambda | sort) | sha256sum | cut -d' ' -f1
}

want=$(inputs_hash)
have=$( { head -n 1 packaging.verified 2>/dev/null || true; } | awk '{print $2}')
if [ "${1:-}" != "--record" ] && [ "$want" = "$have" ]; then
  echo "package-check: these inputs were packaged and verified ($(sed -n 2p packaging.verified)); skipping"
  exit 0
fi
echo "package-check: packaging inputs changed since the last verified run: packaging for arm64" >&2
table=$(scripts/package.sh)
echo "$table"
{
  echo "inputs $want"
  echo "verified $(date -u +%Y-%m-%dT%H:%MZ) with cargo-lambda $(.venv/bin/cargo-lambda lambda --version 2>/dev/null | awk '{print $2}')"
  echo "$table"
} > packaging.verified
