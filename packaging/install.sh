#!/usr/bin/env bash
# Builds BuildSentry (dotnet publish -c Release with Native AOT: one native executable, no .NET runtime
# needed on the host; installs clang to link it) and installs it:
#   /usr/lib/buildsentry/          the daemon, its shipped profiles, hooks/
#   /usr/bin/buildsentry           symlink to the daemon
#   /etc/buildsentry/buildsentry.yaml, /etc/buildsentry/profiles/   never overwritten
#   /usr/lib/systemd/system/buildsentry.service
#   /usr/share/doc/buildsentry/README.md
#   /usr/lib/debug/usr/lib/buildsentry/buildsentry.dbg   the daemon's symbols (for gdb and crash reports)
# Idempotent: a second run replaces the binaries and the unit, and keeps the administrator's
# configuration and profiles (a changed shipped file is put next to them as *.dist).
#
# usage: packaging/install.sh [--prefix DIR] [--no-build]
#   --prefix DIR   install under DIR instead of / (no systemctl calls)
#   --no-build     install the last publish output (artifacts/daemon) without building
set -euo pipefail
cd "$(dirname "$0")/.."

prefix=""
build=true
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="${2:?--prefix needs a directory}"; prefix="${prefix%/}"; shift 2 ;;
    --no-build) build=false; shift ;;
    *) echo "usage: $0 [--prefix DIR] [--no-build]" >&2; exit 2 ;;
  esac
done

# shellcheck source=scripts/deps.sh
source scripts/deps.sh
publish=$DAEMON_DIR
if $build; then
  rm -rf "$publish"
  publish_daemon
fi
[ -x "$publish/buildsentry" ] || { echo "no build in $publish; run without --no-build" >&2; exit 1; }

lib="$prefix/usr/lib/buildsentry"
etc="$prefix/etc/buildsentry"
install -d -m 0755 "$prefix/usr/bin" "$prefix/usr/lib/systemd/system" "$prefix/usr/share/doc/buildsentry"
install -d -m 0755 "$etc" "$etc/profiles"

# Replace the program directory whole, so files a newer build dropped do not linger.
staging=$(mktemp -d "$prefix/usr/lib/.buildsentry.XXXXXX")
cp -a "$publish/." "$staging/"
# Symbols stay out of the program directory: the AOT binary's go where gdb looks for its debug link
# (/usr/lib/debug/<dir>/buildsentry.dbg); the .pdb files of the libraries describe IL the binary no longer has.
rm -f "$staging"/*.pdb "$staging/buildsentry.dbg"
if [ -f "$publish/buildsentry.dbg" ]; then
  install -d -m 0755 "$prefix/usr/lib/debug/usr/lib/buildsentry"
  install -m 0644 "$publish/buildsentry.dbg" "$prefix/usr/lib/debug/usr/lib/buildsentry/buildsentry.dbg"
fi
install -d -m 0755 "$staging/hooks"
install -m 0755 packaging/hooks/*.sh "$staging/hooks/"
install -m 0644 packaging/buildsentry.env "$staging/buildsentry.env"
chmod -R go-w "$staging"
chmod 0755 "$staging"
rm -rf "$lib.old"
if [ -e "$lib" ]; then mv "$lib" "$lib.old"; fi
mv "$staging" "$lib"
rm -rf "$lib.old"
ln -sfn ../lib/buildsentry/buildsentry "$prefix/usr/bin/buildsentry"

install -m 0644 packaging/buildsentry.service "$prefix/usr/lib/systemd/system/buildsentry.service"
install -m 0644 packaging/README.md "$prefix/usr/share/doc/buildsentry/README.md"

# Configuration belongs to the administrator: install when absent, else leave a .dist to compare.
install_config() {
  local source=$1 target=$2
  if [ ! -e "$target" ]; then
    install -m 0644 "$source" "$target"
  elif ! cmp -s "$source" "$target"; then
    install -m 0644 "$source" "$target.dist"
  else
    rm -f "$target.dist"
  fi
}
install_config packaging/buildsentry.yaml "$etc/buildsentry.yaml"
for profile in profiles/*.yaml; do
  install_config "$profile" "$etc/profiles/$(basename "$profile")"
done

if [ -z "$prefix" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl is-active --quiet buildsentry && systemctl restart buildsentry
  echo "installed; start with: systemctl enable --now buildsentry"
else
  echo "installed under ${prefix:-/}"
fi
