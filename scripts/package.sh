#!/usr/bin/env bash
# Packages every Lambda function for arm64 (provided.al2023), as `sam build` does, without SAM or Docker:
# `cargo lambda build --release --arm64` over the function packages (functions/*, never `local` or `bench`),
# checks that target/lambda/<function>/bootstrap exists for each, zips each into
# target/lambda/<function>.zip and prints a size table.
#
# Slow (fat LTO, one codegen unit, one link per function), so it is not part of scripts/test.sh: run it
# when Cargo.toml, Cargo.lock or template.yaml change. cargo-lambda and zig come from PyPI into .venv
# (requirements-dev.txt, installed by scripts/setup.sh).
#
# Usage: scripts/package.sh [function...]   (default: every folder under functions/)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# cargo-lambda finds zig through `python3 -m ziglang` when no `zig` is on PATH: the venv's python has it.
export PATH="$PWD/.venv/bin:$PATH"

target=aarch64-unknown-linux-gnu
if command -v rustup >/dev/null && ! rustup target list --installed | grep -qx "$target"; then
  rustup target add "$target"
fi

if [ $# -gt 0 ]; then
  functions=("$@")
else
  functions=()
  for manifest in functions/*/Cargo.toml; do
    functions+=("$(basename "$(dirname "$manifest")")")
  done
fi
packages=()
for function in "${functions[@]}"; do
  [ -f "functions/$function/Cargo.toml" ] || { echo "package: no functions/$function/Cargo.toml" >&2; exit 1; }
  packages+=(-p "$function")
done

started=$(date +%s)
cargo lambda build --release --arm64 "${packages[@]}"
elapsed=$(( $(date +%s) - started ))

lambda_dir=target/lambda
missing=0
for function in "${functions[@]}"; do
  if [ ! -x "$lambda_dir/$function/bootstrap" ]; then
    echo "package: $lambda_dir/$function/bootstrap was not built" >&2
    missing=1
  fi
done
[ "$missing" -eq 0 ] || exit 1

kib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1024 }'; }
printf '%-28s %12s %12s\n' function bootstrap zip
total=0
for function in "${functions[@]}"; do
  bootstrap="$lambda_dir/$function/bootstrap"
  zip="$lambda_dir/$function.zip"
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
  # ELF header: e_machine (2 bytes at offset 18) is 0xb7 (183) for aarch64.
  machine=$(od -An -tu2 -j18 -N2 "$bootstrap" | tr -d ' ')
  [ "$machine" = 183 ] || { echo "package: $bootstrap is not an aarch64 binary (e_machine $machine)" >&2; exit 1; }
  bytes=$(stat -c %s "$bootstrap")
  zbytes=$(stat -c %s "$zip")
  total=$((total + zbytes))
  printf '%-28s %10s K %10s K\n' "$function" "$(kib "$bytes")" "$(kib "$zbytes")"
done
printf '%-28s %12s %10s K\n' "total (${#functions[@]})" "" "$(kib "$total")"
echo "package: built ${#functions[@]} functions for arm64 in ${elapsed}s" >&2
