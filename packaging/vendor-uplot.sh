#!/usr/bin/env bash
# Vendors the console's chart library, uPlot (MIT), from npm at the pinned version into the director's
# resources, after checking the tarball against the integrity npm publishes for it. Run it to move to another
# version (change both lines below); the files it writes are committed, so builds need no npm.
set -euo pipefail
VERSION=1.6.32
INTEGRITY=sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw==
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$HERE/jvs-director/src/main/resources/org/jvs/director/console/static"
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "uplot@$VERSION" >/dev/null)
TGZ="$WORK/uplot-$VERSION.tgz"
GOT="sha512-$(openssl dgst -sha512 -binary "$TGZ" | base64 -w0)"
[ "$GOT" = "$INTEGRITY" ] || { echo "vendor-uplot: integrity mismatch: $GOT" >&2; exit 1; }
tar -xzf "$TGZ" -C "$WORK"
cp "$WORK/package/dist/uPlot.iife.min.js" "$WORK/package/dist/uPlot.min.css" "$OUT/"
cp "$WORK/package/LICENSE" "$OUT/uPlot.LICENSE.txt"
echo "uPlot $VERSION -> $OUT"
