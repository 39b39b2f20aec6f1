#!/usr/bin/env bash
# Installs what is missing, builds, and runs Incident Bridge's CLI.
# Arguments go to `ibridge`; with none it lists your connections.
set -euo pipefail
cd "$(dirname "$0")/.."
IBRIDGE_SETUP_FOR=run source scripts/setup.sh
cargo build --release --locked -p ibridge-cli
if [ "$#" -eq 0 ]; then
  echo "ibridge is at target/release/ibridge; 'ibridge --help' lists every command."
  set -- connections list
fi
exec target/release/ibridge "$@"
