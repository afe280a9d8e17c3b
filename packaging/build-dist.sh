#!/usr/bin/env bash
# The JVS bundle: a jlink runtime (no JDK on the target), the launchers, a systemd unit, a default
# configuration, man pages and bash completion, as a directory and a .tar.gz; with --deb also a .deb.
# bin/jvs dist calls this after building; the tests call it with the jar the build just made.
#
# usage: packaging/build-dist.sh --jar jvs-director/target/jvs.jar --out DIR [--deb]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
JAR="" OUT="" DEB=0
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --deb) DEB=1; shift ;;
    *) echo "build-dist: unknown option '$1' (usage: --jar JAR --out DIR [--deb])" >&2; exit 2 ;;
  esac
done
[ -f "$JAR" ] || { echo "build-dist: no jar at '$JAR' (build first: bin/jvs build)" >&2; exit 2; }
[ -n "$OUT" ] || { echo "build-dist: --out DIR is needed" >&2; exit 2; }
JDK="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x "$JDK/bin/jlink" ] || JDK=/usr/lib/jvm/temurin-25-jdk-amd64
[ -x "$JDK/bin/jlink" ] || { echo "build-dist: jlink of a Java 25 JDK not found (set JAVA_HOME)" >&2; exit 2; }

VERSION="$("$JDK/bin/java" -cp "$JAR" org.jvs.director.DirectorMain --version | awk '{print $2}')"
NAME="jvs-$VERSION"
DIST="$OUT/$NAME"
rm -rf "$DIST" && mkdir -p "$DIST"/{bin,lib,etc,share/jvs,systemd,man/man1,man/man8,completion}

step() { echo "build-dist: $*" >&2; }

# The modules the jar uses, as jdeps finds them, plus java.logging (System.Logger's backend, which
# jdeps does not see through the service lookup).
step "[1/4] modules (jdeps)"
MODULES="$("$JDK/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 25 "$JAR"),java.logging"
step "[2/4] runtime (jlink: $MODULES)"
"$JDK/bin/jlink" --add-modules "$MODULES" --output "$DIST/runtime" --strip-debug --no-man-pages --no-header-files \
  --compress=zip-6
step "[3/4] files"
cp "$JAR" "$DIST/lib/jvs.jar"
cp "$HERE/launcher/jvs" "$HERE/launcher/jvsadm" "$DIST/bin/" && chmod 755 "$DIST"/bin/*
cp "$HERE/jvs.yaml" "$DIST/etc/jvs.yaml"
cp "$ROOT/examples/quickstart.yaml" "$DIST/share/jvs/quickstart.yaml"
cp "$HERE/jvs.service" "$DIST/systemd/jvs.service"
sed "s/@VERSION@/$VERSION/g" "$HERE/man/jvs.1" > "$DIST/man/man1/jvs.1"
sed "s/@VERSION@/$VERSION/g" "$HERE/man/jvsadm.8" > "$DIST/man/man8/jvsadm.8"
cp "$HERE/completion/jvsadm.bash" "$DIST/completion/jvsadm.bash"
cp "$HERE/install.sh" "$DIST/install.sh" && chmod 755 "$DIST/install.sh"
echo "$VERSION" > "$DIST/VERSION"
step "[4/4] archive"
# owned by root in the archive: root unpacks it, and root runs what it holds
tar -C "$OUT" --owner=0 --group=0 --numeric-owner -czf "$OUT/$NAME-linux-x64.tar.gz" "$NAME"
echo "$OUT/$NAME-linux-x64.tar.gz"

if [ "$DEB" = 1 ]; then
  STAGE="$OUT/deb-stage"
  rm -rf "$STAGE"
  "$DIST/install.sh" --root "$STAGE" --prefix /opt/jvs --unit-dir /lib/systemd/system --no-user-config >&2
  mkdir -p "$STAGE/DEBIAN" "$STAGE/etc/jvs"
  cp "$HERE/jvs.yaml" "$STAGE/etc/jvs/jvs.yaml"
  SIZE="$(du -sk "$STAGE" | awk '{print $1}')"
  cat > "$STAGE/DEBIAN/control" <<CONTROL
Package: jvs
Version: $VERSION
Architecture: amd64
Maintainer: JVS developers <jvs@localhost>
Installed-Size: $SIZE
Section: net
Priority: optional
Homepage: https://github.com/jvs/jvs
Description: JVS, the Java Virtual Server: a Linux Virtual Server director in user space
 IPVS forwarding (NAT, DR, TUN), ipvsadm-compatible jvsadm, a layer-7 switch, health checks,
 dynamic feedback, VRRP failover and connection sync. Brings its own Java runtime.
CONTROL
  echo "/etc/jvs/jvs.yaml" > "$STAGE/DEBIAN/conffiles"
  printf '#!/bin/sh\nset -e\nif [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi\n' > "$STAGE/DEBIAN/postinst"
  printf '#!/bin/sh\nset -e\nif [ "$1" = remove ] && [ -d /run/systemd/system ]; then systemctl stop jvs.service || true; fi\n' > "$STAGE/DEBIAN/prerm"
  chmod 755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/prerm"
  dpkg-deb --root-owner-group --build "$STAGE" "$OUT/jvs_${VERSION}_amd64.deb" >&2
  rm -rf "$STAGE"
  echo "$OUT/jvs_${VERSION}_amd64.deb"
fi
