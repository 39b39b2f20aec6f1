#!/usr/bin/env bash
# Installs what is missing and runs every check and test: formatting,
# clippy with warnings as errors, and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
IBRIDGE_SETUP_FOR=test source scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "test servers (npm ci)"
# A real OAuth server (oidc-provider) that the end-to-end tests start on
# loopback, and Prism, which validates our requests against the vendor specs.
npm ci --prefix tests/oauth-server --no-audit --no-fund --loglevel=error
npm ci --prefix tests/contract-mock --no-audit --no-fund --loglevel=error

step "cargo test"
# The OS keychain is not touched by tests (they use their own key sources);
# IBRIDGE_KEYCHAIN=off keeps any stray CLI run off the developer's keychain.
IBRIDGE_KEYCHAIN=off cargo test --locked --workspace
