#!/usr/bin/env bash
# Installs what is missing, builds, and opens the Incident Bridge desktop
# app. `scripts/run.sh cli ARGS…` runs the command line (`ibridge`) instead.
set -euo pipefail
cd "$(dirname "$0")/.."
IBRIDGE_SETUP_FOR=run source scripts/setup.sh

if [ "${1:-}" = "cli" ]; then
  shift
  cargo build --release --locked -p ibridge-cli
  [ "$#" -gt 0 ] || set -- --help
  exec target/release/ibridge "$@"
fi

npm run build
cargo build --release --locked -p incident-bridge --features custom-protocol
exec target/release/incident-bridge
