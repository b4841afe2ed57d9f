#!/usr/bin/env bash
# Builds the Debian packages from the Native AOT publish, with debhelper (packaging/debian/, see packaging/README.md):
#   artifacts/deb/buildsentry_<version>_<arch>.deb          the daemon, unit, configuration, profiles, hooks, man page
#   artifacts/deb/buildsentry-dbgsym_<version>_<arch>.deb   its symbols (/usr/lib/debug/.build-id/)
# then runs lintian on them and fails on an error. The version is Directory.Build.props' <Version>, which is also
# the one `buildsentry --version` prints; a publish of another version is refused.
#
# usage: packaging/build-deb.sh [--no-build]
#   --no-build   package the last publish output (artifacts/daemon) without publishing again
set -euo pipefail
cd "$(dirname "$0")/.."

build=true
case "${1:-}" in
  "") ;;
  --no-build) build=false ;;
  *) echo "usage: $0 [--no-build]" >&2; exit 2 ;;
esac

# shellcheck source=scripts/deps.sh
source scripts/deps.sh
# debhelper brings dpkg-dev; eu-unstrip (elfutils) joins the binary and its symbols again for dh_strip.
ensure_packages debhelper elfutils lintian

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
[ -n "$version" ] || { echo "no <Version> in Directory.Build.props" >&2; exit 1; }
if $build; then
  rm -rf "$DAEMON_DIR"
  publish_daemon
fi
binary=$DAEMON_DIR/buildsentry
[ -x "$binary" ] || { echo "no build in $DAEMON_DIR; run without --no-build" >&2; exit 1; }
# --version prints <Version>+<commit>: the commit is build metadata, the part before it must be this version.
built=$("$binary" --version)
if [ "${built%%+*}" != "$version" ]; then
  echo "$binary is version $built, Directory.Build.props says $version; run without --no-build" >&2
  exit 1
fi

out=artifacts/deb
tree=$out/build/buildsentry-$version
rm -rf "$out"
mkdir -p "$tree"
cp -r packaging/debian "$tree/debian"
cp packaging/buildsentry.service "$tree/debian/buildsentry.service"
cp packaging/buildsentry.env packaging/buildsentry.yaml packaging/README.md "$tree/"
cp -r packaging/hooks profiles "$tree/"
# The publish splits the symbols into buildsentry.dbg; dh_strip wants them in the binary, to split them itself into
# the -dbgsym package under the build id.
if [ -f "$DAEMON_DIR/buildsentry.dbg" ]; then
  eu-unstrip "$binary" "$DAEMON_DIR/buildsentry.dbg" -o "$tree/buildsentry"
else
  cp "$binary" "$tree/buildsentry"
fi

# Dated by the last commit, so that two builds of one commit are the same package.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
cat > "$tree/debian/changelog" <<EOF
buildsentry ($version) unstable; urgency=medium

  * BuildSentry $version.

 -- $(sed -n 's/^Maintainer: //p' packaging/debian/control)  $(date -R -u -d "@$SOURCE_DATE_EPOCH")
EOF
bash packaging/manpage.sh "$binary" "$version" > "$tree/buildsentry.1"

(cd "$tree" && dpkg-buildpackage -b -us -uc > ../dpkg-buildpackage.log 2>&1) || {
  tail -n 40 "$out/build/dpkg-buildpackage.log" >&2
  exit 1
}
mv "$out"/build/*.deb "$out/"
ls -1 "$out"/*.deb
# Every warning kept is explained in packaging/README.md.
lintian --fail-on error "$out"/*.deb
