#!/usr/bin/env bash
# Measures the stripped release desktop app side by side with a hello-world
# Tauri v2 app built the same way: the same toolchain, the same locked tauri
# version and the same [profile.release] (copied from Cargo.toml), and
# prints both sizes and their ratio. The hello-world is written out below
# into a scratch directory (no template is fetched) and is never part of the
# repository.
#
#   bash scripts/measure-size.sh [APP_BINARY]
#
# APP_BINARY defaults to target/release/incident-bridge (scripts/package.sh
# builds it). IBRIDGE_HELLO_DIR picks the scratch directory (kept between
# runs so the hello-world is built once).
set -euo pipefail
cd "$(dirname "$0")/.."
app=${1:-target/release/incident-bridge}
hello=${IBRIDGE_HELLO_DIR:-${TMPDIR:-/tmp}/ibridge-hello-tauri}

mkdir -p "$hello/src" "$hello/dist" "$hello/icons"
cp src-tauri/icons/*.png "$hello/icons/"
# The workspace's lockfile pins the same tauri, wry and webkit2gtk crates;
# cargo drops what the hello-world does not use.
cp Cargo.lock "$hello/Cargo.lock"
release_profile=$(awk '/^\[/ { inside = ($0 == "[profile.release]") } inside' Cargo.toml)

cat >"$hello/Cargo.toml" <<EOF
[package]
name = "hello-tauri"
version = "0.1.0"
edition = "2021"
publish = false

[build-dependencies]
tauri-build = "2"

[dependencies]
tauri = "2"

[features]
custom-protocol = ["tauri/custom-protocol"]

[workspace]

$release_profile
EOF
cat >"$hello/build.rs" <<'EOF'
fn main() {
    tauri_build::build()
}
EOF
cat >"$hello/src/main.rs" <<'EOF'
fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the window could not start");
}
EOF
cat >"$hello/dist/index.html" <<'EOF'
<!doctype html><html><body><h1>Hello</h1></body></html>
EOF
cat >"$hello/tauri.conf.json" <<'EOF'
{
  "productName": "hello-tauri",
  "version": "0.1.0",
  "identifier": "dev.example.hello",
  "build": { "frontendDist": "dist" },
  "app": { "windows": [{ "title": "Hello" }] },
  "bundle": { "icon": ["icons/32x32.png", "icons/128x128.png", "icons/icon.png"] }
}
EOF

echo "building the hello-world Tauri app in $hello (release profile of this workspace)"
(cd "$hello" && cargo build --release --features custom-protocol)
hello_bin="$hello/target/release/hello-tauri"

size() { stat -c %s "$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MiB", b / 1048576 }'; }
hello_size=$(size "$hello_bin")
printf 'hello-world Tauri v2 app : %10d bytes (%s)  %s\n' "$hello_size" "$(mib "$hello_size")" "$(file -b "$hello_bin" | grep -o 'not stripped\|stripped' || true)"
if [ ! -f "$app" ]; then
  echo "no $app: build it first (bash scripts/package.sh) to compare" >&2
  exit 1
fi
app_size=$(size "$app")
printf 'Incident Bridge app      : %10d bytes (%s)  %s\n' "$app_size" "$(mib "$app_size")" "$(file -b "$app" | grep -o 'not stripped\|stripped' || true)"
awk -v a="$app_size" -v h="$hello_size" 'BEGIN { printf "ratio app / hello-world  : %.2f (limit 2.00)\n", a / h }'
