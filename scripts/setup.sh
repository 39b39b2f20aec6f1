#!/usr/bin/env bash
# Installs what Incident Bridge needs to build, run and test — only what is
# missing. Sourced by run.sh and test.sh; safe to run again.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# Debian/Ubuntu packages: a C toolchain, the WebKitGTK stack Tauri builds
# against, libdbus (the OS keychain is reached through it on Linux),
# Node.js for the UI build, and a font for the labels of Mermaid diagrams
# drawn to PNG (without one, a diagram is refused).
APT_PACKAGES=(build-essential pkg-config curl ca-certificates file
  libwebkit2gtk-4.1-dev libxdo-dev libssl-dev libayatana-appindicator3-dev librsvg2-dev
  libdbus-1-dev nodejs npm fonts-dejavu-core)
if [ "${IBRIDGE_SETUP_FOR:-run}" = "test" ]; then
  # The end-to-end tests: a virtual display, the WebDriver for WebKitGTK,
  # a private D-Bus session per run (the app's single-instance check
  # lives on the session bus), Python's D-Bus bindings for the fake
  # notification server on that bus (e2e/fake-notifications.py), and
  # xwininfo for talking to the X server directly (with e2e/x11.py: close a
  # window, read the focus).
  APT_PACKAGES+=(xvfb xauth webkit2gtk-driver dbus python3-dbus python3-gi x11-utils python3)
fi
case "${IBRIDGE_SETUP_FOR:-run}" in
  test | package)
    # Checking the packages with the distributions' own tools.
    APT_PACKAGES+=(lintian rpmlint rpm)
    ;;
esac

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
# Node 18+ from elsewhere (nvm, nodesource) counts.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for pkg in "${missing[@]}"; do
    case "$pkg" in nodejs|npm) ;; *) filtered+=("$pkg") ;; esac
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Rust: the stable toolchain through rustup when cargo is absent.
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: installing the Rust toolchain (rustup)"
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
  export PATH="$HOME/.cargo/bin:$PATH"
fi
if command -v rustup >/dev/null 2>&1; then
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
fi
export PATH="$HOME/.cargo/bin:$PATH"

if [ "${IBRIDGE_SETUP_FOR:-run}" = "test" ] && ! command -v tauri-driver >/dev/null 2>&1; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --version 2.1.0
fi

# The UI's packages (exactly the locked versions).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
