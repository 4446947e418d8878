#!/usr/bin/env bash
# Selection-engine benchmarks on this machine: `acd select` over a
# deterministic synthetic capture (cmd/capgen) with 10k and 100k criteria
# matchers, on one worker and on all cores, next to tshark (field extraction),
# nfpcapd (flow export) and cat (reading the file); instructions per packet
# under callgrind; and peak RSS while 1 GB and 4 GB stream through a pipe.
# Peers that are not installed are skipped with the Debian package to install.
#
#   bench/selection.sh            # 1M packets; streams of 1 GB and 4 GB
#   bench/selection.sh --quick    # 100k packets; a 1 GB stream only
#   PACKETS=2000000 bench/selection.sh
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
case "${1:-}" in
  "") ;;
  --quick) quick=1 ;;
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: bench/selection.sh [--quick]" >&2; exit 2 ;;
esac
packets=${PACKETS:-$([ $quick = 1 ] && echo 100000 || echo 1000000)}
small=$(( packets < 100000 ? packets : 100000 )) # tshark and callgrind
streams="1G 4G"
[ $quick = 1 ] && streams="1G"
seed=1
all=$(nproc)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/acd-bench-selection.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

have() { command -v "$1" >/dev/null 2>&1; }
note() { echo "  ($*)"; }

echo "== setup"
echo "  $(go version), $all cores: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
go build -o "$tmp/acd" ./cmd/acd
go build -o "$tmp/capgen" ./cmd/capgen
acd=$tmp/acd
capgen=$tmp/capgen
if ! "$acd" select --help >/dev/null 2>&1; then
  echo "bench/selection.sh: this acd has no working 'select' command ('acd select --help' fails); nothing to measure" >&2
  exit 1
fi
timer=/usr/bin/time
if [ ! -x $timer ]; then
  timer=
  note "/usr/bin/time is missing (Debian package: time): no peak RSS figures"
fi

# The e-mail pseudonym key: the first 'acd user add' makes the key
# directory (keys need an existing one), then a fresh pseudonym key.
"$acd" user add --data-dir "$tmp/data" --username bench --role admin </dev/null >/dev/null
"$acd" keys rotate --data-dir "$tmp/data" email-pseudonym >/dev/null
key=$tmp/data/keys/email-pseudonym.json
[ -f "$key" ] || { echo "bench/selection.sh: no pseudonym key at $key" >&2; exit 1; }

# capgen prints "capgen: wrote N packets, W wire bytes, F file bytes to X".
wire_bytes() { sed -n 's/.* packets, \([0-9]*\) wire bytes.*/\1/p' "$1"; }
"$capgen" --packets "$packets" --seed $seed --out "$tmp/cap.pcap" --delegated "$tmp/delegated.txt" \
  --criteria "$tmp/crit10k.json" --matchers 10000 --manifest "$tmp/manifest.json" 2>"$tmp/capgen.err"
"$capgen" --packets 1 --seed $seed --out "$tmp/one.pcap" --criteria "$tmp/crit100k.json" --matchers 100000 2>/dev/null
# acd select runs only on an approved criteria file: sign a manifest for
# each with the data directory's approval-manifest key.
go run ./bench/approve --keys "$tmp/data/keys" "$tmp/crit10k.json" "$tmp/crit100k.json"
wire=$(wire_bytes "$tmp/capgen.err")
# A capture is a prefix of any longer one with the same seed: these are the
# first $small packets of cap.pcap.
"$capgen" --packets "$small" --seed $seed --out "$tmp/small.pcap" 2>"$tmp/small.err"
small_wire=$(wire_bytes "$tmp/small.err")
echo "  capture: $packets packets, $wire wire bytes ($(( $(stat -c %s "$tmp/cap.pcap") >> 20 )) MiB of pcap), seed $seed"

# timed NAME N WIRE CMD...: runs CMD three times (standard output to
# /dev/null) and prints a table row for the fastest run, with the largest
# peak RSS of the three. The first row (acd, 10k matchers, one worker) is the
# reference of the last column.
ref_pps=
row() { printf '%-40s %9s %12s %7s %9s %8s\n' "$@"; }
timed() {
  local name=$1 n=$2 w=$3
  shift 3
  local best= rss=0 i t0 t1 s m
  for i in 1 2 3; do
    rm -rf "$tmp/out" "$tmp/nf"
    mkdir "$tmp/nf"
    t0=$(date +%s.%N)
    if [ -n "$timer" ]; then
      $timer -f %M -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err" || { echo "$name failed:" >&2; cat "$tmp/err" >&2; exit 1; }
      m=$(tail -1 "$tmp/rss")
      [ "$m" -gt "$rss" ] && rss=$m
    else
      "$@" >/dev/null 2>"$tmp/err" || { echo "$name failed:" >&2; cat "$tmp/err" >&2; exit 1; }
    fi
    t1=$(date +%s.%N)
    s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
    if [ -z "$best" ] || awk -v s="$s" -v b="$best" 'BEGIN { exit !(s < b) }'; then best=$s; fi
  done
  local pps gbps mib ratio
  pps=$(awk -v n="$n" -v s="$best" 'BEGIN { printf "%.0f", n / s }')
  gbps=$(awk -v w="$w" -v s="$best" 'BEGIN { printf "%.2f", w * 8 / s / 1e9 }')
  mib=$([ -n "$timer" ] && awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }' || echo -)
  [ -z "$ref_pps" ] && ref_pps=$pps
  ratio=$(awk -v p="$pps" -v r="$ref_pps" 'BEGIN { printf "x%.2f", p / r }')
  row "$name" "$n" "$pps" "$gbps" "$mib" "$ratio"
  last_pps=$pps
}

# sel CRITERIA WORKERS INPUT sets the array sel to that acd select command.
sel() {
  rm -f "$tmp/out"
  sel=("$acd" select --criteria "$1" --domestic "$tmp/delegated.txt" --pseudonym-key "$key"
    --manifest "$1.manifest.json" --manifest-keys "$tmp/data/manifest-keys.json" --revocations "$tmp/data/revocations.json"
    --out "$tmp/out" --workers "$2" --progress never "$3")
}

echo
echo "== throughput (best of 3; Gbps from the frames' wire bytes; RSS: peak of the 3 runs)"
row tool packets packets/s Gbps RSS-MiB vs-acd
for m in 10k 100k; do
  for w in 1 "$all"; do
    sel "$tmp/crit$m.json" "$w" "$tmp/cap.pcap"
    timed "acd select, $m matchers, workers=$w" "$packets" "$wire" "${sel[@]}"
    if [ "$m" = 10k ] && [ "$w" = 1 ]; then
      acd_line=$(grep -m1 '^selection:' "$tmp/err" || true)
      acd_pps=$last_pps
    fi
  done
done
if have tshark; then
  timed "tshark -T fields (first $small packets)" "$small" "$small_wire" \
    tshark -r "$tmp/small.pcap" -T fields -e frame.time_epoch -e ip.src -e ip.dst -e tcp.srcport -e tcp.dstport \
    -e udp.srcport -e udp.dstport -e http.host -e http.request.method -e http.request.uri -e http.user_agent \
    -e tls.handshake.extensions_server_name -e dns.qry.name -e smtp.req.command
  tshark_pps=$last_pps
else
  note "tshark skipped: not installed (Debian package: tshark)"
fi
if have nfpcapd; then
  timed "nfpcapd -r -w (flow export)" "$packets" "$wire" nfpcapd -r "$tmp/cap.pcap" -w "$tmp/nf"
  nfpcapd_pps=$last_pps
else
  note "nfpcapd skipped: not installed (Debian package: nfdump)"
fi
timed "cat > /dev/null" "$packets" "$wire" cat "$tmp/cap.pcap"
cat_pps=$last_pps
echo
echo "== acd select (10k matchers, one worker, whole process) against each peer; goals in brackets"
ratio() { [ -n "$2" ] && awk -v a="$acd_pps" -v p="$2" -v g="$3" -v n="$1" 'BEGIN { printf "  %-10s x%.2f  [%s]\n", n, a / p, g }'; }
ratio tshark "${tshark_pps:-}" ">= x60"
ratio nfpcapd "${nfpcapd_pps:-}" ">= x4"
ratio cat "$cat_pps" ">= x0.5"
[ -n "${acd_line:-}" ] && note "acd's own count for 10k matchers, one worker: ${acd_line#selection: }"
note "tshark reads only the first $small packets (it is slow): same seed, a prefix of the capture; its rate scales"

echo
echo "== instructions per packet (callgrind, acd select, 10k matchers, workers=1, GOGC=off, $small packets)"
if have valgrind && have callgrind_annotate; then
  # Ir over $small packets minus Ir over one packet (start-up: criteria,
  # address table, key), divided by the packets in between. The garbage
  # collector is off so that the count does not depend on when it runs (by
  # 10-20% with GOGC=100); allocations are still counted. Two Go runtime
  # features are off for valgrind: asynchronous preemption (its signals trip
  # an assertion in callgrind) and RDTSCP (valgrind 3.19 cannot decode it;
  # the runtime falls back to RDTSC).
  ir() {
    sel "$tmp/crit10k.json" 1 "$1"
    GOGC=off GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "${sel[@]}" >/dev/null 2>"$tmp/cg.err" ||
      { echo "callgrind run failed:" >&2; tail -20 "$tmp/cg.err" >&2; exit 1; }
    callgrind_annotate "$tmp/cg.out" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }'
    rm -f "$tmp/cg.out"
  }
  total=$(ir "$tmp/small.pcap")
  base=$(ir "$tmp/one.pcap")
  awk -v t="$total" -v b="$base" -v n="$small" 'BEGIN {
    printf "  %.0f instructions/packet (Ir %d over %d packets, start-up %d Ir subtracted)\n", (t - b) / (n - 1), t, n, b }'
else
  note "callgrind skipped: not installed (Debian package: valgrind)"
fi

echo
echo "== peak RSS while streaming through a pipe (capgen --bytes B | acd select --workers $all -)"
measure=()
[ -n "$timer" ] && measure=("$timer" -f %M -o "$tmp/rss")
for size in $streams; do
  sel "$tmp/crit10k.json" "$all" -
  t0=$(date +%s.%N)
  "$capgen" --bytes "$size" --seed $seed --out - 2>"$tmp/stream.err" |
    "${measure[@]}" "${sel[@]}" 2>"$tmp/err" ||
    { echo "streaming $size failed:" >&2; cat "$tmp/stream.err" "$tmp/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  n=$(sed -n 's/capgen: wrote \([0-9]*\) packets.*/\1/p' "$tmp/stream.err")
  mib=$([ -n "$timer" ] && awk -v k="$(tail -1 "$tmp/rss")" 'BEGIN { printf "%.1f", k / 1024 }' || echo -)
  awk -v s="$size" -v n="$n" -v m="$mib" -v a="$t0" -v b="$t1" 'BEGIN {
    printf "  %-4s %10d packets  peak RSS %7s MiB  %6.1f s (generation included)\n", s, n, m, b - a }'
  rm -f "$tmp/out"
done
