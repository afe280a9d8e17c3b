#!/usr/bin/env bash
# What the DoS defences (jvsadm --defense, director: defense:) cost: ns per connection-creating SYN in the
# core with each strategy in force against all off, and drop_entry's work per housekeeping tick over a full
# 1 048 576-entry table (a flood's aftermath). In-process, one thread, no traffic leaves the JVM.
# Writes OUT/defense-cost.json (docs/core.md quotes it).
#
# usage: bench/defense-cost.sh [ROUNDS, default 5]     env: OUT (.bench/defense), JAVA
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
ROUNDS="${1:-5}"
OUT="${OUT:-$HERE/.bench/defense}"
JAVA="${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
CLASSES="$HERE/jvs-core/target/classes"
[ -d "$CLASSES" ] || { echo "defense-cost: build first (bin/jvs build)" >&2; exit 1; }
mkdir -p "$OUT"
echo "defense-cost: $ROUNDS rounds of 786 432 SYNs per setting, then a 1 049 576-SYN flood (about a minute)" >&2
"$JAVA" --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED -Xmx2g -cp "$CLASSES" \
  "$HERE/bench/defense/DefenseCost.java" "$ROUNDS" | tee "$OUT/defense-cost.json"
