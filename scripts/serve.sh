#!/usr/bin/env bash
# Serves the playground at http://127.0.0.1:8080 with the cross-origin isolation headers
# (Trunk.toml sets them), rebuilding on change. Installs whatever is missing first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/tools.sh" serve
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
# Release: unoptimised wasm runs the kernels tens of times slower, which would misrepresent them.
exec trunk serve --release "$@"
