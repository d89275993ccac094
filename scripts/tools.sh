#!/usr/bin/env bash
# Installs every tool the build and the tests need, skipping what is already there.
# Run by scripts/serve.sh (as `tools.sh serve`: only what serving needs) and scripts/test.sh
# (everything); safe to run on its own.
# Nothing here downloads a prebuilt binary or a browser: tools are compiled from crates.io,
# the browser comes from Debian, the e2e packages from the npm registry.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

WASM_BINDGEN_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)"
TRUNK_VERSION="0.22.1"

say() { printf '\033[1m[tools]\033[0m %s\n' "$*"; }
# The tools are compiled once per machine, so they are built for build time, not speed: no LTO
# and parallel codegen (trunk's own release profile asks for fat LTO and one codegen unit, most
# of its 13 minutes on 2 cores), in one target directory shared by the installs so the crates
# they share compile once. Set for these installs only, never for the project's own builds.
TOOLS_TARGET="${PLAYGROUND_TOOLS_TARGET:-${XDG_CACHE_HOME:-$HOME/.cache}/playground-tools-target}"
install_tool() {
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install --target-dir "$TOOLS_TARGET" "$@"
}
# has_line TEXT REGEX COUNT: TEXT has at least COUNT lines matching REGEX (no grep -q under
# pipefail: it can close the pipe early and fail the check).
has_line() { [ "$(printf '%s\n' "$1" | grep -cE "$2")" -ge "$3" ]; }
FOR="${1:-all}"

# 1. The pinned toolchain (rust-toolchain.toml names it; RUSTUP_AUTO_INSTALL=0 machines need this).
if ! rustup run "$(sed -n 's/^channel = "\(.*\)"/\1/p' rust-toolchain.toml)" rustc --version >/dev/null 2>&1 \
   || ! has_line "$(rustup component list --installed 2>/dev/null)" '^(rust-src|rustfmt|clippy)' 3 \
   || ! has_line "$(rustup target list --installed 2>/dev/null)" '^wasm32-unknown-unknown' 1; then
  say "installing the toolchain pinned in rust-toolchain.toml"
  rustup toolchain install   # reads rust-toolchain.toml: channel, components, targets
fi

# 2. wasm-bindgen CLI at exactly the version Cargo.lock pins (the library and CLI must match).
# Not --locked: its lock pins a webpki-roots the registry here lacks (see ARCHITECTURE.md).
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  install_tool wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 3. trunk (needs rustc >= 1.96.1: built with the pinned nightly since we are in the repo).
if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (the longest step)"
  install_tool trunk --version "$TRUNK_VERSION" --locked --force
fi

[ "$FOR" = serve ] && exit 0

# (The kernels' tests in the browser need no wasm-pack: `cargo test --target wasm32-unknown-unknown`
# runs them through wasm-bindgen-cli's test runner, .cargo/config.toml's `runner`.)

# 4. Debian's Chromium and its driver, and Debian's Firefox ESR (never a browser download).
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/firefox-esr ]; then
  say "installing Debian chromium + chromium-driver + firefox-esr"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver firefox-esr
fi
