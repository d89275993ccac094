#!/usr/bin/env bash
# Trunk's post-build hook: builds the engine's threaded build next to the single-threaded one
# Trunk has built (ARCHITECTURE.md, "Two engine builds"). Same crate, plus wasm atomics and a
# shared memory (`.cargo/threads.toml`), in a target directory of its own so neither build ever
# invalidates the other. wasm-bindgen writes `engine-threads.js`, its `_bg.wasm` and the thread
# pool's worker helper into Trunk's staging directory, which Trunk then publishes as dist/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
: "${TRUNK_STAGING_DIR:?run by Trunk (Trunk.toml, [[hooks]])}"
profile="${TRUNK_PROFILE:-debug}"
release=()
[[ "$profile" == release ]] && release=(--release)

cargo build "${release[@]}" -p engine --lib --target wasm32-unknown-unknown \
  --config .cargo/threads.toml --target-dir target/threads
# Trunk's own flags for a worker (data-bindgen-target="web"), and no wasm-opt, as index.html says.
wasm-bindgen --target web --no-typescript --out-name engine-threads \
  --out-dir "$TRUNK_STAGING_DIR" "target/threads/wasm32-unknown-unknown/$profile/engine.wasm"
