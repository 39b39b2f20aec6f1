#!/usr/bin/env bash
# Builds the release packages with the Tauri bundler and checks them with
# the distributions' own tools:
#
#   target/packages/incident-bridge_VERSION_amd64.deb
#   target/packages/incident-bridge-VERSION-1.x86_64.rpm
#
# Each installs the desktop app (/usr/bin/incident-bridge, its .desktop
# entry and icons) and the command line (/usr/bin/ibridge), with man pages,
# the copyright file and a changelog. The version is the workspace's
# (Cargo.toml); tauri.conf.json has none of its own, so the bundler takes
# the app crate's.
#
# No AppImage: the bundler downloads linuxdeploy and its plugins from
# GitHub for it, and no package registry provides them.
#
# lintian must report no error on the .deb (the build fails otherwise).
# It reports no warning either; what it prints are info tags
# (spelling-error-in-binary, on strings compiled in from dependencies),
# left as they are. A warning that has to stay gets a lintian overrides
# file shipped in the package, with its reason beside it. rpmlint runs on
# the .rpm when it is installed; its findings are printed, not fatal
# (they are judged against Fedora's rules, not the target's).
set -euo pipefail
cd "$(dirname "$0")/.."
IBRIDGE_SETUP_FOR=package source scripts/setup.sh

version=$(cargo pkgid --locked -p incident-bridge | sed 's/.*[@#]//')
out=target/packages
staging=target/packaging
mkdir -p "$out" "$staging"

# The command line first: the bundler copies target/release/ibridge in
# (bundle.linux.*.files in tauri.conf.json).
cargo build --release --locked -p ibridge-cli

# Files the packages carry beside the binaries. gzip -n: no name or time
# in the header, so the same input gives the same bytes.
stamp=$(git log -1 --format=%cD 2>/dev/null || date -R)
cat >"$staging/changelog" <<CHANGELOG
incident-bridge ($version) unstable; urgency=medium

  * Release $version. The full history is in the project's repository.

 -- Incident Bridge maintainers <maintainers@incidentbridge.dev>  $stamp
CHANGELOG
gzip -9nc "$staging/changelog" >"$staging/changelog.gz"
for page in ibridge incident-bridge; do
  sed "s/@VERSION@/$version/" "packaging/$page.1" | gzip -9nc >"$staging/$page.1.gz"
done

# The app, embedding the built UI.
npx tauri build --ci --no-bundle -- --locked

# The bundler names WebKitGTK and GTK as dependencies; the C library,
# libgcc (which every Rust binary links) and libdbus (the OS keychain's
# transport, linked by both programs) it leaves out. The lowest glibc the
# two binaries accept is the highest symbol version they use. The .rpm
# names both by the capabilities rpm itself generates for shared
# libraries (the bundler takes each entry as a bare name, so "glibc >= V"
# would not be a version constraint), which Fedora and openSUSE provide.
glibc=$(objdump -T target/release/incident-bridge target/release/ibridge |
  grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
runtime_deps=$(printf '{"bundle":{"linux":{"deb":{"depends":["libc6 (>= %s)","libgcc-s1","libdbus-1-3"]},"rpm":{"depends":["libc.so.6(GLIBC_%s)(64bit)","libdbus-1.so.3()(64bit)"]}}}}' "$glibc" "$glibc")
npx tauri bundle --ci --bundles deb,rpm --config "$runtime_deps"

rm -f "$out"/*.deb "$out"/*.rpm
deb="$out/incident-bridge_${version}_amd64.deb"
rpm="$out/incident-bridge-${version}-1.x86_64.rpm"
# The bundler names them after the product name ("Incident Bridge");
# the copies carry the package name, as the distributions do.
cp target/release/bundle/deb/*_"${version}"_amd64.deb "$deb"
cp target/release/bundle/rpm/*"${version}"-1.x86_64.rpm "$rpm"

printf '\n== lintian %s\n' "$deb"
lintian --fail-on error --display-info --show-overrides "$deb"
if command -v rpmlint >/dev/null 2>&1; then
  printf '\n== rpmlint %s\n' "$rpm"
  rpmlint "$rpm" || true
fi
printf '\n== built\n'
ls -l "$deb" "$rpm"
