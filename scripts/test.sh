#!/usr/bin/env bash
# Installs what is missing and runs every check and test: formatting,
# clippy, the UI's type-check, lint and component tests, the whole Rust
# suite (unit, integration, contract, fault-matrix and OAuth end-to-end
# tests), the release packages with lintian and rpmlint, and the desktop
# end-to-end tests in the real window, of the dev build and of the
# program unpacked from the .deb.
set -euo pipefail
cd "$(dirname "$0")/.."
IBRIDGE_SETUP_FOR=test source scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "UI: type-check, lint, component tests"
npm run typecheck
npm run lint
npm test

step "test servers (npm ci)"
# A real OAuth server (oidc-provider) the end-to-end tests start on
# loopback, and Prism, which validates our requests against vendor specs.
npm ci --prefix tests/oauth-server --no-audit --no-fund --loglevel=error
npm ci --prefix tests/contract-mock --no-audit --no-fund --loglevel=error

step "cargo test"
# Tests use their own key sources; IBRIDGE_KEYCHAIN=off keeps any stray
# run off the developer's keychain. This also checks src/bindings.ts is
# what the Rust commands generate.
IBRIDGE_KEYCHAIN=off cargo test --locked --workspace

step "packages: .deb and .rpm (release build), lintian, rpmlint"
bash scripts/package.sh

step "desktop end-to-end (real window under Xvfb) and the unpacked package"
npm run build
cargo build --locked -p incident-bridge --features custom-protocol
cargo build --locked -p ibridge-testkit --bin fake-services
# The window test also runs the CLI beside the open window.
cargo build --locked -p ibridge-cli --bin ibridge
# One file at a time: each starts its own display, bus and app.
IBRIDGE_REQUIRE_PACKAGE=1 node --test --test-concurrency=1 e2e/
