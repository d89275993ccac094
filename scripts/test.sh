#!/usr/bin/env bash
# Runs every test: formatting and lints, native tests, the kernels in headless Chromium
# (simd128 and the wasm thread pool), then the served app end to end in headless Chromium.
# Installs whatever is missing first. Exits non-zero on the first failure.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/tools.sh"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format and lints (native and wasm)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy --target wasm32-unknown-unknown -p engine -p app --locked -- -D warnings

step "native tests"
cargo test --workspace --locked

step "kernels in headless Chromium (wasm-pack: simd128 and the thread pool)"
wasm-pack test --headless --chrome --chromedriver /usr/bin/chromedriver crates/tensor

step "build the app (release, as served)"
trunk build --release
scripts/check-wasm.sh dist/engine_bg.wasm

step "end to end in headless Chromium"
cd tests/e2e
npm ci --no-audit --no-fund --silent
npm test
