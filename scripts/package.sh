#!/usr/bin/env bash
# Packages the Lambda functions for arm64 (provided.al2023) as `sam build` does, without SAM or Docker:
# one `cargo lambda build --release --arm64 -p lambda-function` (every function runs that one binary, its
# ROUTE naming its route), checks target/lambda/lambda-function/bootstrap is an aarch64 executable, zips it
# into target/lambda/lambda-function.zip (the archive each function deploys) and prints its size.
#
# Slow from cold dependencies (fat LTO, one codegen unit), so it is not part of scripts/test.sh: CI runs it
# through scripts/package-check.sh when Cargo.toml, Cargo.lock, template.yaml or lambda/ change.
# cargo-lambda and zig come from PyPI into .venv (requirements-dev.txt, installed by scripts/setup.sh).
#
# Usage: scripts/package.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# cargo-lambda finds zig through `python3 -m ziglang` when no `zig` is on PATH: the venv's python has it.
export PATH="$PWD/.venv/bin:$PATH"

target=aarch64-unknown-linux-gnu
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$target"; then
  rustup target add "$target"
fi

package=lambda-function
functions=$(grep -c '^          ROUTE: ' template.yaml)
started=$(date +%s)
cargo lambda build --release --arm64 -p "$package"
elapsed=$(( $(date +%s) - started ))

bootstrap=target/lambda/$package/bootstrap
zip=target/lambda/$package.zip
[ -x "$bootstrap" ] || { echo "package: $bootstrap was not built" >&2; exit 1; }
# ELF header: e_machine (2 bytes at offset 18) is 0xb7 (183) for aarch64.
machine=$(od -An -tu2 -j18 -N2 "$bootstrap" | tr -d ' ')
[ "$machine" = 183 ] || { echo "package: $bootstrap is not an aarch64 binary (e_machine $machine)" >&2; exit 1; }
# The archive Lambda receives: one executable named bootstrap at the root.
.venv/bin/python - "$bootstrap" "$zip" <<'PY'
import sys, zipfile
bootstrap, archive = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    info = zipfile.ZipInfo("bootstrap", date_time=(1980, 1, 1, 0, 0, 0))
    info.external_attr = 0o755 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with open(bootstrap, "rb") as f:
        z.writestr(info, f.read(), compresslevel=9)
PY
kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
printf '%-28s %12s %12s %s\n' binary bootstrap zip "deployed by"
printf '%-28s %10s K %10s K %s\n' "$package" "$(kib "$(stat -c %s "$bootstrap")")" "$(kib "$(stat -c %s "$zip")")" \
  "each of the $functions functions of template.yaml"
echo "package: built $package for arm64 in ${elapsed}s" >&2
