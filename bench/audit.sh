#!/usr/bin/env bash
# Audit-log benchmarks on this machine: appends per second at each SQLite
# durability level with and without grouped commits, checkpoint integration,
# and verification of a large log compared with the reference RFC 6962
# computation (golang.org/x/mod/sumdb/tlog over the same leaves in memory).
#
#   bench/audit.sh            # 1M entries for verification
#   ENTRIES=200000 bench/audit.sh
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${ENTRIES:-1000000}
pkg=./internal/auditlog/

echo "== appends (20000 per run)"
printf '%-8s %-7s %12s\n' sync group appends/s
for sync in FULL NORMAL; do
  for group in 1 100 1000; do
    r=$(go test -run '^$' -bench '^BenchmarkAppend$' -benchtime 20000x $pkg \
          -args -audit.sync=$sync -audit.group=$group | awk '/appends\/s/ {for (i=1;i<=NF;i++) if ($i=="appends/s") print $(i-1)}')
    printf '%-8s %-7s %12s\n' "$sync" "$group" "$r"
  done
done

echo
echo "== checkpoint integration (100000 leaves)"
go test -run '^$' -bench '^BenchmarkCheckpoint$' -benchtime 100000x $pkg | grep -E '^Benchmark'

echo
echo "== verify $entries entries from SQLite (FULL)"
go test -run '^$' -bench '^BenchmarkVerify$' -benchtime 1x -timeout 60m $pkg -args -audit.entries=$entries | grep -E '^Benchmark'
echo "(x-of-tlog: time of acd's verification over the time x/mod's tlog needs for the same leaves held in memory)"
