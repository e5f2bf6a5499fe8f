#!/usr/bin/env bash
# Fuzzes request parsing with libFuzzer (cargo-fuzz) for ${1:-60} seconds. cargo-fuzz wants a nightly
# compiler for its sanitizer flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them, and the
# target runs without a sanitizer (the code under test has no `unsafe`: we look for panics and hangs).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
seconds=${1:-60}
RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none request_body -- -max_total_time="$seconds" -max_len=20000 -timeout=5
