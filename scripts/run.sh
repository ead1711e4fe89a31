#!/usr/bin/env bash
# Runs twofa: builds the SPA and the release binary, then serves both on the embedded SQLite default
# (data in ./data, address http://127.0.0.1:8080 unless TWOFA_BIND says otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
(cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build)
cargo build --release --locked -p twofa-api
export TWOFA_STATIC_DIR="${TWOFA_STATIC_DIR:-$(pwd)/frontend/dist}"
# The binary cargo just built: CARGO_TARGET_DIR when set, else .cargo/config.toml's target-dir.
exec "${CARGO_TARGET_DIR:-/var/cache/twofa/target}/release/twofa" serve "$@"
