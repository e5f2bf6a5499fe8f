#!/usr/bin/env bash
# CI's `sam local` gate. Running every function under `sam local` (scripts/sam-local.sh) needs a release
# build of every function, which from a fresh clone takes a good part of CI's time budget, so CI runs it only
# when what it exercises changed since the last verified run: template.yaml, samconfig.toml, Cargo.lock,
# events/, lambda/ and the check itself (scripts/sam-local.sh, scripts/sam-local/). `sam-local.verified`
# records the hash of those inputs (their names and contents) and that run's results;
# `scripts/sam-local-check.sh --record` runs the check and rewrites it whatever the hash.
#
# CI runs it for x86_64 with the exact release profile: one binary serves every function, so the build
# is one fat-LTO link after the dependencies. SAM_LOCAL_ARGS sets the options (e.g. "--arch arm64" for
# the deployed architecture under QEMU, "--fast-build" for the release profile without fat LTO).
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_ALL=C

inputs_hash() {
  git ls-files -z -- template.yaml samconfig.toml Cargo.lock events lambda scripts/sam-local.sh \
    scripts/sam-local-check.sh scripts/sam-local | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}

want=$(inputs_hash)
have=$( { head -n 1 sam-local.verified 2>/dev/null || true; } | awk '{print $2}')
if [ "${1:-}" != "--record" ] && [ "$want" = "$have" ]; then
  echo "sam-local-check: these inputs were verified under sam local ($(sed -n 2p sam-local.verified)); skipping"
  exit 0
fi
echo "sam-local-check: sam local inputs changed since the last verified run: running every function" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# shellcheck disable=SC2086
scripts/sam-local.sh ${SAM_LOCAL_ARGS:-} 2>&1 | tee "$log" >&2
{
  echo "inputs $want"
  echo "verified $(date -u +%Y-%m-%dT%H:%MZ): $(grep -o 'under sam local ([^)]*) in [0-9]*s' "$log" | tail -n 1)"
  grep -E '^sam-local: (invoke|api|time) |answered as expected' "$log" | sed 's/^sam-local: //'
} > sam-local.verified
