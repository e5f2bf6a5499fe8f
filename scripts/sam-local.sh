#!/usr/bin/env bash
# Runs every Lambda function as `sam local` runs it, in a Lambda container against the Cognito emulator:
#   1. `sam build` of the template (for x86_64 by default, see below);
#   2. the emulator, with a fresh pool and app client (POST /_emulator/pools);
#   3. `sam local invoke <Function> -e events/<function>.json` for EVERY function, each answer checked
#      against what its event should get (scripts/sam-local/check.py: the login event logs the run's
#      user in, the made-up tokens get 401, the made-up codes 400, ...);
#   4. `sam local start-api` and whole flows over HTTP: sign-up, confirm (the code from the emulator's
#      outbox), login, profile, refresh, logout, password reset, account deletion.
# Then it stops everything it started, by PID (start-api, the emulator, its Docker daemon) or by
# container id.
#
# Two ways to run, chosen automatically (or with --stock / --offline):
# - stock: a machine with Docker (with its usual bridge network) and internet: plain `sam`, which pulls
#   public.ecr.aws/lambda/provided:al2023-<arch> itself. The containers reach the emulator through the
#   Docker bridge gateway (Linux) or host.docker.internal (Docker Desktop).
# - offline: this workplace's machines (no registry but Debian's, PyPI, crates.io and npm; nothing may leave
#   127.0.0.0/8). As root, the script installs docker.io from Debian if needed, starts its OWN Docker
#   daemon (private socket and data root, no bridge, no iptables) inside a network namespace that has
#   nothing but loopback, builds a stand-in for the Lambda base image from Debian packages
#   (scripts/sam-local/standin-image.sh), and runs SAM through scripts/sam-local/sam_offline.py (host-mode
#   containers with the RIE on loopback, no STS call, no PyPI check, no telemetry). The emulator, SAM
#   and its containers all run in that namespace, so nothing can be sent off loopback.
#
# Architecture: the template deploys arm64; the check builds and runs x86_64 by default, from a copy of
# the template with `Architectures: [x86_64]` (target/sam/template.x86_64.yaml): the same code and
# events, without QEMU (0.3-0.5 s a request instead of 0.8-0.9 s). `--arch arm64` runs the template's own
# architecture (offline: under qemu-user-static, installed from Debian).
#
# Build: `sam build` itself, which runs `cargo lambda build --release --bin lambda-function` once (every
# function has the same build metadata) and copies the binary to each function: exactly what plain
# `sam build` makes. At nice 19, in its own cargo target directory (target/sam/cargo, or
# $CARGO_TARGET_DIR), so it never waits on, or invalidates, the test builds. --fast-build: the release profile
# without fat LTO and with 16 codegen units (same code and panic=unwind; only size and speed differ).
#
# --shell: instead of the checks, a shell (in the namespace, offline) where `sam` is the right command for
# this machine and $SAM_TEMPLATE, $SAM_OVERRIDES, $SAM_ENV_VARS, $EMULATOR, $POOL_ID point at the build, a
# fresh pool and a random LOGIN_SESSION_KEY:
#   sam local invoke LoginFunction -t "$SAM_TEMPLATE" -e events/login.json \
#     --parameter-overrides "$SAM_OVERRIDES" --env-vars "$SAM_ENV_VARS"
# Leaving the shell stops everything.
#
# Usage: scripts/sam-local.sh [--stock | --offline] [--arch x86_64|arm64] [--fast-build | --no-build] [--shell]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
here=$repo/scripts/sam-local

mode=${SAM_LOCAL_MODE:-auto}
arch=x86_64
build=1
shell=0
profile="release profile"
while [ $# -gt 0 ]; do
  case "$1" in
    --stock) mode=stock ;;
    --offline) mode=offline ;;
    --arch) arch=$2; shift ;;
    --arch=*) arch=${1#--arch=} ;;
    --no-build) build=0 ;;
    --fast-build) export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16; profile="fast build" ;;
    --shell) shell=1 ;;
    -h|--help) sed -n '2,45p' "$0"; exit 0 ;;
    *) echo "sam-local: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$arch" in x86_64|arm64) ;; *) echo "sam-local: --arch is x86_64 or arm64" >&2; exit 2 ;; esac

work=${SAM_LOCAL_WORK:-$repo/target/sam}
mkdir -p "$work"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$work/cargo}
export SAM_CLI_TELEMETRY=0
# SAM's boto3 session: never probe the EC2 metadata address for credentials; dummy keys when none are set.
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-sam-local-dummy} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-sam-local-dummy}
t0=$(date +%s)
phase_start=$t0
timings=()
phase() { # phase <name>: records the time since the previous phase ended
  local now; now=$(date +%s)
  timings+=("$(printf '%-34s %4ss' "$1" $((now - phase_start)))")
  phase_start=$now
}
log() { echo "sam-local: $*" >&2; }

# --- cleanup: everything this run started, by PID or container id ----------------------------------
api_pid='' emulator_pid_file=$(mktemp) dockerd_pid='' containers_before=''
run_dir=/run/sam-local  # the offline mode's Docker daemon: socket, PID file, exec root
cleanup() {
  local status=$?
  set +e
  if [ -n "$api_pid" ] && kill -0 "$api_pid" 2>/dev/null; then
    # SAM shuts down on SIGTERM (a background job ignores SIGINT); its warm containers go below.
    kill -TERM "$api_pid"
    for _ in $(seq 1 20); do kill -0 "$api_pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$api_pid" 2>/dev/null && { log "sam local start-api did not stop: killing it"; kill -KILL "$api_pid"; }
  fi
  [ -s "$emulator_pid_file" ] && kill "$(cat "$emulator_pid_file")" 2>/dev/null
  rm -f "$emulator_pid_file"
  if [ -n "${DOCKER_CMD:-}" ] && $DOCKER_CMD info >/dev/null 2>&1; then
    local ids
    ids=$($DOCKER_CMD ps -aq --filter label=sam.cli.container.type=lambda)
    for id in $ids; do
      case " $containers_before " in *" $id "*) ;; *) $DOCKER_CMD rm -f "$id" >/dev/null ;; esac
    done
  fi
  if [ -n "$dockerd_pid" ]; then
    # Anything else still in the namespace this run created (say a job left running in --shell) goes too,
    # before the daemon: SAM, the emulator, a curl. Found by their network namespace, killed by PID.
    local ns left=()
    ns=$(readlink "/proc/$dockerd_pid/ns/net" 2>/dev/null)
    [ -n "$ns" ] && [ "$ns" != "$(readlink /proc/$$/ns/net)" ] || ns=none  # never sweep our own namespace
    for proc in /proc/[0-9]*; do
      pid=${proc#/proc/}
      if [ "$pid" = "$dockerd_pid" ] || [ "$(readlink "$proc/ns/net" 2>/dev/null)" != "$ns" ]; then continue; fi
      case "$(cat "$proc/comm" 2>/dev/null)" in containerd*|runc|docker-*) continue ;; esac
      left+=("$pid")
    done
    if [ ${#left[@]} -gt 0 ]; then
      kill -TERM "${left[@]}" 2>/dev/null; sleep 1; kill -KILL "${left[@]}" 2>/dev/null
    fi
    kill -TERM "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 60); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$dockerd_pid" 2>/dev/null && { log "dockerd did not stop: killing it"; kill -KILL "$dockerd_pid"; }
    # dockerd leaves its namespace bind-mounted at <exec-root>/netns/default: unmount what it left.
    findmnt -rn -o TARGET | grep "^$run_dir/" | sort -r | while read -r mnt; do umount "$mnt"; done
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

scripts/setup.sh
# cargo-lambda finds zig through `python3 -m ziglang` when no `zig` is on PATH: the venv's python has it.
export PATH="$repo/.venv/bin:$PATH"
python=$repo/.venv/bin/python
phase "setup (.venv)"

# --- Docker -----------------------------------------------------------------------------------------
if [ "$mode" = auto ]; then
  if docker info >/dev/null 2>&1 && docker network inspect bridge >/dev/null 2>&1; then
    mode=stock
  else
    mode=offline
  fi
fi
log "mode: $mode, architecture: $arch"

in_ns=()  # the command prefix that runs something in the daemon's network namespace (offline)
if [ "$mode" = offline ]; then
  [ "$(id -u)" = 0 ] || { log "the offline mode runs its own Docker daemon: run it as root"; exit 1; }
  apt_install() { # apt_install <package>...: Debian packages, without starting their services
    local missing=()
    for p in "$@"; do dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
    [ ${#missing[@]} -gt 0 ] || return 0
    log "installing ${missing[*]} from Debian"
    local guard=''
    if [ ! -e /usr/sbin/policy-rc.d ]; then  # no service may start on install (no systemd here anyway)
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && guard=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
    [ -z "$guard" ] || rm -f /usr/sbin/policy-rc.d
  }
  packages=(docker.io)
  command -v unshare >/dev/null && command -v nsenter >/dev/null || packages+=(util-linux)
  [ "$arch" = x86_64 ] || packages+=(qemu-user-static binfmt-support)
  apt_install "${packages[@]}"
  if [ "$arch" = arm64 ]; then
    [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || update-binfmts --enable qemu-aarch64
  fi
  # Debian's client, the daemon's own version (another `docker` on PATH may be much newer).
  DOCKER_CMD=/usr/bin/docker
  sock=$run_dir/docker.sock
  export DOCKER_HOST=unix://$sock
  mkdir -p "$run_dir"
  if [ -s "$run_dir/dockerd.pid" ] && kill -0 "$(cat "$run_dir/dockerd.pid")" 2>/dev/null \
    && $DOCKER_CMD info >/dev/null 2>&1; then
    # Left running by someone on purpose: use it, do not stop it.
    ns_pid=$(cat "$run_dir/dockerd.pid")
    log "using the running private Docker daemon (PID $ns_pid)"
  else
    rm -f "$run_dir/dockerd.pid" "$sock"
    log "starting a private Docker daemon (no bridge, no iptables) in a loopback-only network namespace"
    # unshare and sh both exec: $! ends up being dockerd's PID. `ip` brings the namespace's lo up.
    if command -v ip >/dev/null; then up_lo='ip link set lo up'; else
      # SIOCSIFFLAGS on lo: IFF_UP | IFF_LOOPBACK | IFF_RUNNING.
      up_lo="$python -c 'import fcntl,socket,struct; fcntl.ioctl(socket.socket(), 0x8914, struct.pack(\"16sH22x\", b\"lo\", 0x49))'"
    fi
    unshare --net sh -c "$up_lo && exec dockerd --config-file '$here/daemon.json' --host '$DOCKER_HOST' \
      --data-root /var/lib/sam-local-docker --exec-root '$run_dir/exec' --pidfile '$run_dir/dockerd.pid'" \
      > "$work/dockerd.log" 2>&1 &
    dockerd_pid=$!
    for _ in $(seq 1 120); do
      $DOCKER_CMD info >/dev/null 2>&1 && break
      kill -0 "$dockerd_pid" 2>/dev/null || { tail -20 "$work/dockerd.log" >&2; log "dockerd failed to start"; exit 1; }
      sleep 0.5
    done
    $DOCKER_CMD info >/dev/null 2>&1 || { tail -20 "$work/dockerd.log" >&2; log "dockerd did not answer"; exit 1; }
    ns_pid=$dockerd_pid
  fi
  in_ns=(nsenter "--net=/proc/$ns_pid/ns/net" --)
  # Belt and braces: the namespace must have no address but loopback.
  if "${in_ns[@]}" "$python" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.connect(("192.0.2.1", 9))' 2>/dev/null; then
    log "the daemon's network namespace has a route off loopback: refusing to run"; exit 1
  fi
  phase "docker (install, daemon)"
  DOCKER="$DOCKER_CMD" "$here/standin-image.sh" "$arch" "$work/standin-$arch"
  phase "stand-in base image"
  sam=("$python" "$here/sam_offline.py")
  sam_options=""  # sam_offline.py adds --skip-pull-image and the loopback container host itself
  emulator_host=127.0.0.1 endpoint_host=127.0.0.1
else
  DOCKER_CMD=docker
  sam=("$repo/.venv/bin/sam")
  sam_options=""
  if [ "$(uname -s)" = Darwin ]; then
    # Docker Desktop: containers reach the Mac's loopback as host.docker.internal.
    emulator_host=127.0.0.1 endpoint_host=host.docker.internal
  else
    # Linux: the emulator listens on the bridge's gateway address, which the containers reach.
    emulator_host=$(docker network inspect bridge -f '{{range .IPAM.Config}}{{.Gateway}}{{end}}')
    endpoint_host=$emulator_host
  fi
  phase "docker (check)"
fi
containers_before=$($DOCKER_CMD ps -aq --filter label=sam.cli.container.type=lambda | tr '\n' ' ')

# --- sam build ----------------------------------------------------------------------------------------
template=$work/template.$arch.yaml
if [ "$arch" = arm64 ]; then
  cp template.yaml "$template"
  command -v rustup >/dev/null && ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu \
    && rustup target add aarch64-unknown-linux-gnu
else
  # The one line that differs: Globals.Function.Architectures.
  grep -qx '    Architectures: \[arm64\]' template.yaml \
    || { log "template.yaml: no '    Architectures: [arm64]' line in Globals to override"; exit 1; }
  sed 's/^    Architectures: \[arm64\]$/    Architectures: [x86_64]/' template.yaml > "$template"
fi
build_dir=$work/build-$arch
if [ "$build" = 1 ]; then
  log "sam build ($arch, one cargo lambda build for every function, cargo target $CARGO_TARGET_DIR)"
  build_started=$(date +%s)
  # Not cached and not parallel, as samconfig.toml says.
  nice -n 19 "${sam[@]}" build -t "$template" --base-dir "$repo" --build-dir "$build_dir" --no-cached >&2
  log "sam build took $(( $(date +%s) - build_started ))s"
fi
machine=$([ "$arch" = arm64 ] && echo 183 || echo 62)  # ELF e_machine: aarch64 / x86-64
functions=()
for event in events/*.json; do functions+=("$(basename "$event" .json)"); done
for function in "${functions[@]}"; do
  id=$("$python" -c 'import sys; print("".join(p.capitalize() for p in sys.argv[1].split("-")) + "Function")' "$function")
  bootstrap=$build_dir/$id/bootstrap
  [ -x "$bootstrap" ] || { log "$bootstrap was not built"; exit 1; }
  [ "$(od -An -tu2 -j18 -N2 "$bootstrap" | tr -d ' ')" = "$machine" ] || { log "$bootstrap is not $arch"; exit 1; }
done
phase "sam build (${#functions[@]} functions)"

# --- the emulator, a pool ------------------------------------------------------------------------------
ready=$("${in_ns[@]}" scripts/emulator.sh "$emulator_pid_file" --port 0 --host "$emulator_host")
emulator_url=$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["endpoint"])' "$ready")
emulator_port=${emulator_url##*:}
endpoint=http://$endpoint_host:$emulator_port
pool=$("${in_ns[@]}" "$python" "$here/check.py" pool --emulator "$emulator_url")
overrides=$("$python" -c 'import json,sys; print("UserPoolId=%(userPoolId)s UserPoolClientId=%(clientId)s" % json.loads(sys.argv[1]), "CognitoEndpoint=" + sys.argv[2])' "$pool" "$endpoint")
log "emulator on $emulator_url; functions use CognitoEndpoint=$endpoint"
# sam local resolves no {{resolve:secretsmanager:...}} reference: LOGIN_SESSION_KEY would be that literal
# text. Give it a random key, as the deployed stack's generated secret is (--env-vars "Parameters" apply
# to every function; they only override variables the template declares).
# The rate limits' counters live in the emulator's DynamoDB (CognitoEndpoint also sets the functions'
# DynamoDB endpoint), in a table made here as the template makes it. The checks run one user through
# many routes in a minute from one address: the per-account minute rule is off and the guesses are
# generous, so every answer is the route's own while every limited route still counts in the table.
limits_table=sam-local-limits
"${in_ns[@]}" "$python" scripts/limits-table.py "$emulator_url" "$limits_table"
env_vars=$work/env-vars.json
umask 077
"$python" -c 'import json,secrets,sys; json.dump({"Parameters": {"LOGIN_SESSION_KEY": secrets.token_hex(32), "RATE_LIMIT_TABLE": sys.argv[2], "RATE_LIMIT_CODE_SENDS_PER_ACCOUNT_MINUTE": "0", "RATE_LIMIT_GUESSES_PER_ACCOUNT": "1000"}}, open(sys.argv[1], "w"))' "$env_vars" "$limits_table"
umask 022
sam_options="$sam_options --env-vars $env_vars"
phase "emulator"

if [ "$shell" = 1 ]; then
  rc=$work/shell.rc
  # shellcheck disable=SC2016  # the single-quoted lines are for the rc file: they expand in that shell
  {
    printf 'sam() { %s "$@"; }\n' "${sam[*]}"
    printf 'export SAM_TEMPLATE=%q SAM_OVERRIDES=%q SAM_ENV_VARS=%q EMULATOR=%q POOL_ID=%q\n' \
      "$build_dir/template.yaml" "$overrides" "$env_vars" "$emulator_url" \
      "$("$python" -c 'import json,sys; print(json.loads(sys.argv[1])["userPoolId"])' "$pool")"
    printf 'cd %q\n' "$repo"
    echo "PS1='(sam-local $mode $arch) \\w\\$ '"
    echo 'echo "sam local invoke LoginFunction -t \"\$SAM_TEMPLATE\" -e events/login.json --parameter-overrides \"\$SAM_OVERRIDES\" --env-vars \"\$SAM_ENV_VARS\""'
    echo 'echo "codes sent: curl \"\$EMULATOR/_emulator/messages?userPoolId=\$POOL_ID&username=alice\"; exit stops everything"'
  } > "$rc"
  "${in_ns[@]}" bash --rcfile "$rc" -i || true
  exit 0
fi

# --- sam local invoke, every function -----------------------------------------------------------------
"${in_ns[@]}" "$python" "$here/check.py" invoke --sam "${sam[*]}" --sam-options "$sam_options" \
  --template "$build_dir/template.yaml" --emulator "$emulator_url" --overrides "$overrides" \
  --pool "$pool" --work "$work/events"
phase "sam local invoke (every event)"

# --- sam local start-api, flows ---------------------------------------------------------------------
api_port=$("${in_ns[@]}" "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# LAZY warm containers: a function's container serves every later request to it, as on Lambda.
# shellcheck disable=SC2086
"${in_ns[@]}" "${sam[@]}" local start-api -t "$build_dir/template.yaml" --host 127.0.0.1 --port "$api_port" \
  --parameter-overrides "$overrides" --region us-east-1 --warm-containers LAZY $sam_options \
  > "$work/start-api.log" 2>&1 &
api_pid=$!
for _ in $(seq 1 240); do
  "${in_ns[@]}" "$python" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)' \
    "$api_port" 2>/dev/null && break
  kill -0 "$api_pid" 2>/dev/null || { tail -30 "$work/start-api.log" >&2; log "sam local start-api exited"; exit 1; }
  sleep 0.5
done
phase "sam local start-api (start)"
"${in_ns[@]}" "$python" "$here/check.py" api --url "http://127.0.0.1:$api_port" --emulator "$emulator_url" --pool "$pool" \
  || { tail -40 "$work/start-api.log" >&2; exit 1; }
# The limited routes counted in the store (no count would mean the functions ran without their limits).
"${in_ns[@]}" "$python" - "$emulator_url" "$limits_table" <<'PY' || exit 1
import sys, boto3
endpoint, table = sys.argv[1:]
items = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="local",
                     aws_secret_access_key="local").scan(TableName=table)["Items"]
rules = sorted({item["pk"]["S"].split("#")[0] for item in items})
if not {"account-guesses-5m", "ip-sends-5m"} <= set(rules):
    sys.exit(f"sam-local: the rate limits' table lacks counters: {rules}")
print(f"sam-local: rate limits counted in DynamoDB: {len(items)} counters of {', '.join(rules)}", file=sys.stderr)
PY
phase "sam local start-api (flows)"

total=$(( $(date +%s) - t0 ))
{
  echo "sam-local: every function answered as expected under sam local ($mode, $arch, $profile) in ${total}s:"
  for line in "${timings[@]}"; do echo "sam-local: time $line"; done
} >&2
