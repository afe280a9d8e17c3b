#!/usr/bin/env bash
# Installs this JVS bundle. As root on the target: ./install.sh ; into a staging root: ./install.sh --root DIR
#   --prefix DIR       where the bundle goes (default /opt/jvs)
#   --unit-dir DIR     where jvs.service goes (default /etc/systemd/system; a package uses /lib/systemd/system)
#   --no-user-config   leave /etc/jvs/jvs.yaml alone (a package ships it as a conffile)
# Never overwrites an existing /etc/jvs/jvs.yaml. Afterwards: systemctl daemon-reload && systemctl enable --now jvs
set -euo pipefail
SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="" PREFIX=/opt/jvs UNIT_DIR=/etc/systemd/system USER_CONFIG=1
while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --prefix) PREFIX="$2"; shift 2 ;;
    --unit-dir) UNIT_DIR="$2"; shift 2 ;;
    --no-user-config) USER_CONFIG=0; shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$PREFIX" in /*) ;; *) echo "install.sh: --prefix must be absolute" >&2; exit 2 ;; esac
say() { echo "install.sh: $*"; }

say "bundle -> $ROOT$PREFIX"
DEST="$ROOT$PREFIX"
# Only a previous bundle is replaced: a --prefix naming some other directory (/opt, /usr) is refused.
if [ -e "$DEST" ] && ! { [ -f "$DEST/VERSION" ] && [ -x "$DEST/runtime/bin/java" ]; } && [ -n "$(ls -A "$DEST" 2>/dev/null)" ]; then
  echo "install.sh: $DEST exists and is not a JVS bundle; choose another --prefix" >&2
  exit 2
fi
# Staged beside it, then moved into place: an upgrade never leaves half a bundle.
rm -rf "$DEST.new"
mkdir -p "$DEST.new"
cp -R --no-preserve=ownership "$SRC/bin" "$SRC/lib" "$SRC/runtime" "$SRC/share" "$SRC/VERSION" "$DEST.new/"
if [ "$(id -u)" -eq 0 ]; then chown -R 0:0 "$DEST.new"; fi
chmod -R go-w "$DEST.new"
rm -rf "$DEST.old"
[ -e "$DEST" ] && mv "$DEST" "$DEST.old"
mv "$DEST.new" "$DEST"
rm -rf "$DEST.old"
mkdir -p "$ROOT/usr/bin" "$ROOT/usr/sbin"
ln -sfn "$PREFIX/bin/jvs" "$ROOT/usr/bin/jvs"
ln -sfn "$PREFIX/bin/jvsadm" "$ROOT/usr/sbin/jvsadm"

say "systemd unit -> $ROOT$UNIT_DIR/jvs.service"
mkdir -p "$ROOT$UNIT_DIR"
sed "s#/opt/jvs#$PREFIX#g" "$SRC/systemd/jvs.service" > "$ROOT$UNIT_DIR/jvs.service"

say "man pages, bash completion"
mkdir -p "$ROOT/usr/share/man/man1" "$ROOT/usr/share/man/man8" "$ROOT/usr/share/bash-completion/completions"
gzip -9n < "$SRC/man/man1/jvs.1" > "$ROOT/usr/share/man/man1/jvs.1.gz"
gzip -9n < "$SRC/man/man8/jvsadm.8" > "$ROOT/usr/share/man/man8/jvsadm.8.gz"
cp "$SRC/completion/jvsadm.bash" "$ROOT/usr/share/bash-completion/completions/jvsadm"

if [ "$USER_CONFIG" = 1 ]; then
  mkdir -p "$ROOT/etc/jvs"
  if [ -e "$ROOT/etc/jvs/jvs.yaml" ]; then
    say "kept the existing $ROOT/etc/jvs/jvs.yaml (the new default is in $ROOT$PREFIX/share/jvs/jvs.yaml.default)"
  else
    cp "$SRC/etc/jvs.yaml" "$ROOT/etc/jvs/jvs.yaml"
    say "configuration -> $ROOT/etc/jvs/jvs.yaml"
  fi
fi
cp "$SRC/etc/jvs.yaml" "$ROOT$PREFIX/share/jvs/jvs.yaml.default"
say "done: JVS $(cat "$SRC/VERSION"). Next: systemctl daemon-reload && systemctl enable --now jvs"
