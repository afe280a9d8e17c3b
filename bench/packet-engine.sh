#!/usr/bin/env bash
# SYN-flood benchmark of the packet engine in the network-namespace lab (docs/lab.md): 40-byte SYNs from
# random sources (198.18.0.0/15) at full speed from the client namespace, through four directors in turn,
#   kernel-forward  the director's kernel routes SYNs addressed to the real servers (the path's limit)
#   nft-dnat        the director's kernel DNATs the VIP round robin with nftables (no IPVS)
#   jvs-dr, jvs-nat bin/jvs director with a packet-engine service (DR lab / NAT lab)
#   jvs-tun         the same by VS/TUN (IPIP) in the TUN lab: each SYN leaves the director encapsulated
# and prints offered and forwarded packets/s, new connections/s, CPU and each mode's ratio to jvs-dr.
# The real servers drop the SYNs; everything happens inside namespaces the run creates and deletes.
# A mode that cannot run (no packet engine in this build) says so; the others still run; exit status 1.
# Raw output (flood and director logs, configurations, table) goes to .bench/packet-engine-DATE/, with
# packet-engine.json (every figure, ratios to jvs-dr and to kernel forwarding) and packet-engine.svg (a chart).
# OFFLOADS=off runs the lab with the veths' transmit offloads off (default on, as users' veths have them).
# RATE=PPS offers that many SYNs per second instead of as many as the generator can: at full speed the
# director's CPU also carries the kernel's receive work for every offered frame, so a forwarder's rate there
# depends on how fast the generator happened to be; a fixed rate compares modes under the same load.
#
# usage: sudo [OFFLOADS=on|off] [RATE=PPS] bench/packet-engine.sh [SECONDS per mode, default 10] [MODE ...]
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
DUR="${1:-10}"
shift || true
MODES="$(IFS=,; echo "${*:-kernel-forward,nft-dnat,jvs-dr,jvs-nat,jvs-tun}")"

[ "$(id -u)" -eq 0 ] || { echo "packet-engine.sh: needs root (network namespaces, AF_PACKET)" >&2; exit 2; }
for tool in ip nft ethtool taskset curl; do
  command -v "$tool" >/dev/null || { echo "packet-engine.sh: needs $tool (apt-get install iproute2 nftables ethtool util-linux curl)" >&2; exit 2; }
done
[ "$(nproc)" -ge 2 ] || { echo "packet-engine.sh: needs 2 CPUs (director on CPU 0, client on CPU 1)" >&2; exit 2; }

JAR="$HERE/jvs-bench/target/jvs-bench.jar"
if [ ! -f "$JAR" ] || [ ! -f "$HERE/jvs-director/target/jvs.jar" ] \
   || [ -n "$(find "$HERE" -path "$HERE/.git" -prune -o \( -name '*.java' -o -name pom.xml \) -newer "$JAR" -print -quit)" ]; then
  "$HERE/bin/jvs" build
fi
JAVA=""
for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
  if [ -n "$c" ] && [ -x "$c/bin/java" ] && "$c/bin/java" -version 2>&1 | grep -q '"25'; then JAVA="$c/bin/java"; break; fi
done
[ -n "$JAVA" ] || { echo "packet-engine.sh: Java 25 not found (install Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64)" >&2; exit 2; }

OUT="$HERE/.bench/packet-engine-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
echo "packet-engine bench: $DUR s per mode, modes $MODES, raw output in $OUT"
# The harness builds one lab per mode and deletes it after (also on Ctrl-C: a shutdown hook tears down).
"$JAVA" --enable-native-access=ALL-UNNAMED -Djvs.lab.offloads="${OFFLOADS:-on}" -cp "$JAR" org.jvs.bench.flood.PacketEngineBench \
  --seconds "$DUR" --out "$OUT" --jvs-home "$HERE" --modes "$MODES" --rate "${RATE:-0}" 2>&1 | tee "$OUT/run.log"
status="${PIPESTATUS[0]}"
if [ -s "$OUT/packet-engine.tsv" ]; then
  awk -F'\t' -v title="SYN flood through the director, offloads ${OFFLOADS:-on}, offered ${RATE:-full speed} (bench/packet-engine.sh)" \
    -v unit="forwarded packets/s (higher is better)" -f "$HERE/bench/barchart.awk" "$OUT/packet-engine.tsv" >"$OUT/packet-engine.svg"
  echo "results: $OUT/packet-engine.json, $OUT/packet-engine.svg"
fi
exit "$status"
