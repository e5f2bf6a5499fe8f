#!/usr/bin/env bash
# The benchmark, from a fresh clone: installs the original library (npm cognito-user-pool@0.2.4, pinned,
# into bench/.node), today's peers (a Node handler on @aws-sdk/client-cognito-identity-provider, unbundled and
# bundled with esbuild, into bench/.node/peers; a Python handler on boto3, bytecode-compiled, in the venv
# target/bench/peers/python; all pinned under bench/peers/), the emulator (scripts/setup.sh), builds release
# binaries (in their own target dir, BENCH_TARGET_DIR, default target/bench/build), runs the harness
# (bench/), prints the tables and writes them to target/bench/results.md (and a dated copy). See BENCHMARKS.md.
#
# Usage: scripts/bench.sh [--quick] [--peers-only] [--variants] [--build-time]
#   --quick       5 cold runs, 50 warm invocations, 2 s load rows (a smoke run; not for BENCHMARKS.md)
#   --peers-only  only the peers table (skips the original library and the local-server overhead rows)
#   --variants    also build our Lambda binary at opt-level 3, "s" and "z" (custom profiles, own target
#                 subdirs: two extra full builds, ~10 min each on 2 cores) and measure size / cold start / warm
#   --build-time  also time the release build of the Lambda binary after touching shared/ (what `sam build`
#                 runs once for every function)
# Environment: BENCH_RUNS (20), BENCH_WARM (200), BENCH_SECONDS (5), BENCH_CONNECTIONS (1,16,64), NODE (node),
#   BENCH_PYTHON (python3: the interpreter the boto3 peer's venv is made from), BENCH_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

runs=${BENCH_RUNS:-20}
warm=${BENCH_WARM:-200}
seconds=${BENCH_SECONDS:-5}
connections=${BENCH_CONNECTIONS:-1,16,64}
node=${NODE:-node}
python=${BENCH_PYTHON:-python3}
target_dir=${BENCH_TARGET_DIR:-target/bench/build}
bin=$target_dir/release
do_variants=false
peers_only=false
do_build_time=false
for arg in "$@"; do
  case $arg in
    --quick) runs=5; warm=50; seconds=2 ;;
    --peers-only) peers_only=true ;;
    --variants) do_variants=true ;;
    --build-time) do_build_time=true ;;
    *) echo "unknown option $arg (see the header of $0)" >&2; exit 2 ;;
  esac
done

out_dir=target/bench
mkdir -p "$out_dir/logs" "$out_dir/zips"
results=$out_dir/results.md

# 1. The original library, pinned by bench/node/package.json + package-lock.json; reinstalled when they change.
mkdir -p bench/.node
want=$(cat bench/node/package.json bench/node/package-lock.json | sha256sum | cut -d' ' -f1)
if [ "$(cat bench/.node/.stamp 2>/dev/null)" != "$want" ] || [ ! -d bench/.node/node_modules/cognito-user-pool ]; then
  echo "bench: installing cognito-user-pool@0.2.4 with npm into bench/.node" >&2
  cp bench/node/package.json bench/node/package-lock.json bench/.node/
  (cd bench/.node && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$want" > bench/.node/.stamp
fi

# 1b. The peers. Node: the SDK v3 client and esbuild, pinned by bench/peers/node/package.json + lock file; the
#     handler copied beside its node_modules (unbundled) and bundled as `sam build` does with esbuild (its
#     defaults: bundle, platform node, cjs, target es2020, minify).
peers=bench/.node/peers
mkdir -p "$peers"
want=$(cat bench/peers/node/package.json bench/peers/node/package-lock.json | sha256sum | cut -d' ' -f1)
if [ "$(cat "$peers/.stamp" 2>/dev/null)" != "$want" ] || [ ! -d "$peers/node_modules/@aws-sdk/client-cognito-identity-provider" ]; then
  echo "bench: installing the Node peer (AWS SDK v3, esbuild) with npm into $peers" >&2
  cp bench/peers/node/package.json bench/peers/node/package-lock.json "$peers/"
  (cd "$peers" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$want" > "$peers/.stamp"
fi
cp bench/peers/node/handler.js "$peers/handler.js"
"$peers/node_modules/.bin/esbuild" "$peers/handler.js" --bundle --platform=node --format=cjs --target=es2020 \
  --minify --log-level=warning --outfile="$peers/dist/index.js"
#     Python: boto3 and its dependencies, pinned by bench/peers/python/requirements.txt, in a venv of their own,
#     compiled to bytecode (as the Lambda Python runtime ships boto3).
pyenv=target/bench/peers/python
want=$(cat bench/peers/python/requirements.txt | sha256sum | cut -d' ' -f1)
if [ "$(cat "$pyenv/.stamp" 2>/dev/null)" != "$want" ]; then
  echo "bench: installing the Python peer (boto3) into $pyenv" >&2
  rm -rf "$pyenv"
  "$python" -m venv "$pyenv"
  "$pyenv/bin/pip" install --quiet --no-deps -r bench/peers/python/requirements.txt >&2
  "$pyenv/bin/python" -m compileall -q -j 0 "$pyenv/lib" >/dev/null
  echo "$want" > "$pyenv/.stamp"
fi
boto3=$(sed -n 's/^boto3==//p' bench/peers/python/requirements.txt)

# 2. The emulator's venv.
scripts/setup.sh

# 3. Release binaries (native, for this host): our Lambda binary (run as `login` and `profile-get`, its
#    ROUTE naming each), the local server, the harness.
packages=(-p lambda-function -p local -p bench)
$peers_only && packages=(-p lambda-function -p bench)
echo "bench: cargo build --release ${packages[*]} (CARGO_TARGET_DIR=$target_dir)" >&2
build_started=$(date +%s)
CARGO_TARGET_DIR=$target_dir nice cargo build --release --quiet "${packages[@]}"
build_seconds=$(( $(date +%s) - build_started ))

# 4. Package size: the arm64 zip of scripts/package.sh (target/lambda/lambda-function.zip) when present;
#    otherwise the native binary zipped the same way (one file named bootstrap, deflate), once: every
#    function deploys this one zip.
zip_args=()
native_zip=$out_dir/zips/lambda-function.zip
rm -f "$native_zip"
if [ -f "$root/$bin/lambda-function" ] && [ ! -f target/lambda/lambda-function.zip ] && [ ! -f target/lambda/lambda-function/bootstrap.zip ]; then
  python3 - "$root/$bin/lambda-function" "$native_zip" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    info = zipfile.ZipInfo("bootstrap")
    info.external_attr = 0o755 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, open(sys.argv[1], "rb").read(), compresslevel=9)
EOF
  zip_args=(--zip "login=$native_zip" --zip "profile-get=$native_zip")
fi

# 5. The emulator, stopped on exit.
pid_file=$(mktemp)
cleanup() { kill "$(cat "$pid_file")" 2>/dev/null || true; rm -f "$pid_file"; }
trap cleanup EXIT
ready=$(scripts/emulator.sh "$pid_file" --port 0)
endpoint=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["endpoint"])' "$ready")
echo "bench: emulator at $endpoint" >&2

# 6. Run.
{
  echo "## Benchmark run $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "- commit: \`$(git rev-parse --short HEAD 2>/dev/null || echo unknown)\`$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sm)"
  echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- $(rustc --version), Node $($node --version), $("$pyenv/bin/python" --version) + boto3 $boto3, emulator: moto 5.2.5 + patches (scripts/emulator.sh)"
  echo "- release profile: $(sed -n '/^\[profile.release\]/,/^\[/p' Cargo.toml | grep -v '^\[' | grep -v '^ *#' | grep . | tr '\n' ';' | sed 's/;$//; s/;/; /g')"
  echo "- release build of ${packages[*]} in this run: $build_seconds s (incremental: 0 when nothing changed)"
  echo
} > "$results.tmp"

ours_zip=()
[ -f "$native_zip" ] && ours_zip=(--zip "$native_zip")
"$bin/bench" peers --emulator "$endpoint" --runs "$runs" --warm "$warm" --node "$node" --bin-dir "$bin" \
  --node-dir "$peers" --python "$pyenv/bin/python" --python-site "$pyenv/lib" --boto3 "$boto3" \
  --logs "$out_dir/logs" "${ours_zip[@]}" | tee -a "$results.tmp"
if ! $peers_only; then
  "$bin/bench" compare --emulator "$endpoint" --runs "$runs" --warm "$warm" --node "$node" --bin-dir "$bin" \
    --logs "$out_dir/logs" "${zip_args[@]}" | tee -a "$results.tmp"
  "$bin/bench" overhead --local "$bin/local" --seconds "$seconds" --connections "$connections" --logs "$out_dir/logs" \
    | tee -a "$results.tmp"
fi

if $do_variants; then
  # One custom profile per opt-level, inheriting [profile.release] (LTO, codegen-units, strip, panic).
  variant_args=()
  for level in 3 s z; do
    profile=opt$level
    upper=$(echo "$profile" | tr a-z A-Z)
    echo "bench: building lambda-function with opt-level=$level (profile $profile)" >&2
    env "CARGO_PROFILE_${upper}_INHERITS=release" "CARGO_PROFILE_${upper}_OPT_LEVEL=$level" \
      CARGO_TARGET_DIR=$target_dir nice cargo build --quiet --profile "$profile" -p lambda-function
    variant_args+=(--variant "opt-level $level=$target_dir/$profile/lambda-function")
  done
  "$bin/bench" variants --runs "$runs" --warm "$((warm + 100))" --logs "$out_dir/logs" "${variant_args[@]}" \
    | tee -a "$results.tmp"
fi

if $do_build_time; then
  # What `sam build` runs, once for every function, after a change to shared/ (the dependencies are
  # warm): one release build of the Lambda binary. Native (this host), in the bench target dir; see
  # BENCHMARKS.md for arm64 and for sam build itself.
  touch shared/src/lib.rs
  s=$(date +%s.%N)
  CARGO_TARGET_DIR=$target_dir cargo build --release --quiet -p lambda-function
  elapsed=$(echo "$(date +%s.%N) - $s" | bc)
  functions=$(grep -c '^          ROUTE: ' template.yaml)
  { echo "### Build time"; echo
    echo "Release build of the Lambda binary (\`cargo build --release -p lambda-function\`, native, after touching \`shared/src/lib.rs\`), which every one of the $functions functions runs: $elapsed s (load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))."
    echo; } | tee -a "$results.tmp"
fi

mv "$results.tmp" "$results"
cp "$results" "$out_dir/results-$(date -u +%Y%m%dT%H%M%SZ).md"
echo "bench: results written to $results" >&2
