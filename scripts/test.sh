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
# The engine's threaded build (ARCHITECTURE.md, "Two engine builds") in its own target directory.
cargo clippy --target wasm32-unknown-unknown -p engine --locked \
  --config .cargo/threads.toml --target-dir target/threads -- -D warnings
# The kernels' browser tests, as the step below builds them.
cargo clippy --target wasm32-unknown-unknown -p tensor --all-targets --locked \
  --config .cargo/threads.toml --target-dir target/threads -- -D warnings

step "native tests"
cargo test --workspace --locked

step "kernels in headless Chromium (simd128 and the thread pool)"
# The threaded build's flags, in its own target directory (shared with the clippy run above);
# wasm-bindgen's test runner drives Debian's Chromium, headless, through its driver.
CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p tensor --locked \
  --config .cargo/threads.toml --target-dir target/threads

step "build the app (release, as served)"
trunk build --release
scripts/check-wasm.sh dist/engine-threads_bg.wasm shared
scripts/check-wasm.sh dist/engine_bg.wasm unshared

step "end to end in headless Chromium"
cd tests/e2e
npm ci --no-audit --no-fund --silent
npm test
