#!/usr/bin/env bash
# Report-submission benchmark: N concurrent clients file quick reports over
# HTTP to `acd serve` (demo data), on SQLite and on PostgreSQL, with client
# and server pinned to different cores; prints reports/s and p50/p99
# latency. Then it kills the server with SIGKILL in the middle of a run,
# restarts it, and checks that every report acknowledged with 201 is there.
#
#   bench/reports.sh                      # 16 clients, 10 s per run
#   CLIENTS=32 DURATION=20s bench/reports.sh
#   SQLITE_SYNC=NORMAL bench/reports.sh   # the weaker durability level
#   BACKENDS=sqlite bench/reports.sh      # skip PostgreSQL
#
# PostgreSQL runs from the binaries on PATH or /usr/lib/postgresql/*/bin in a
# throwaway cluster with fsync on (as root, as the postgres or nobody user).
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${CLIENTS:-16}
duration=${DURATION:-10s}
sync=${SQLITE_SYNC:-FULL}
backends=${BACKENDS:-sqlite postgres}
ncpu=$(nproc)
server_cpu=0
client_cpu=$(( ncpu > 1 ? 1 : 0 ))

work=$(mktemp -d /tmp/acd-bench-reports.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done
  [ -n "${pgstop:-}" ] && eval "$pgstop" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/acd" ./cmd/acd
go build -o "$work/reportload" ./bench/reportload

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server DATA_DIR DB PORT: runs acd serve pinned to the server core.
start_server() {
  local dir=$1 db=$2 p=$3
  ACD_DB="$db" taskset -c $server_cpu "$work/acd" serve --demo --data-dir "$dir" --listen 127.0.0.1:$p \
    --sqlite-sync "$sync" --log-level warn >>"$dir/serve.log" 2>&1 &
  server=$!
  pids+=("$server")
  for _ in $(seq 1 200); do
    curl -fsS "http://127.0.0.1:$p/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "server did not start:"; tail -20 "$dir/serve.log"; exit 1
}

pgstop=
start_postgres() {
  local bin
  bin=$(dirname "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -1)")
  if [ ! -x "$bin/initdb" ]; then echo "(no PostgreSQL binaries: skipped)"; return 1; fi
  local as=()
  if [ "$(id -u)" = 0 ]; then
    local u=postgres; id postgres >/dev/null 2>&1 || u=nobody
    as=(runuser -u "$u" --); chown "$u" "$work"
  fi
  local pgport; pgport=$(port)
  "${as[@]}" "$bin/initdb" -D "$work/pg" -U acd --auth=trust -E UTF8 --locale=C >/dev/null
  # fsync on: the benchmark measures durable commits.
  "${as[@]}" "$bin/pg_ctl" -D "$work/pg" -o "-h 127.0.0.1 -p $pgport -k $work -c max_connections=100" -l "$work/pg.log" -w start >/dev/null
  pgstop="${as[*]} $bin/pg_ctl -D $work/pg -m immediate -w stop"
  pgurl="postgres://acd@127.0.0.1:$pgport/postgres"
}

run_backend() {
  local name=$1 db=$2
  local dir="$work/$name" p; p=$(port)
  mkdir -p "$dir"
  start_server "$dir" "$db" "$p"
  local token
  token=$(ACD_DB="$db" "$work/acd" token create --data-dir "$dir" --user operator --name bench 2>/dev/null | tail -1)
  [ -n "$token" ] || { echo "could not create a token"; exit 1; }
  local url="http://127.0.0.1:$p"
  echo "-- $name: throughput ($clients clients, $duration; server on CPU $server_cpu, clients on CPU $client_cpu)"
  taskset -c $client_cpu "$work/reportload" load --url "$url" --token "$token" --clients "$clients" --duration "$duration"

  echo "-- $name: SIGKILL in the middle of a run, restart, every acknowledged report must be there"
  : >"$dir/acked"
  taskset -c $client_cpu "$work/reportload" load --url "$url" --token "$token" --clients "$clients" --duration 6s --acked "$dir/acked" --quiet &
  local loader=$!
  sleep 3
  kill -9 "$server"
  wait "$server" 2>/dev/null || true
  wait "$loader"
  start_server "$dir" "$db" "$p"
  "$work/reportload" verify --url "$url" --token "$token" --acked "$dir/acked"
  kill "$server"; wait "$server" 2>/dev/null || true
}

echo "== report submission (SQLite synchronous=$sync)"
for b in $backends; do
  case $b in
    sqlite) run_backend sqlite "$work/sqlite/acd.db" ;;
    postgres) if start_postgres; then run_backend postgres "$pgurl"; fi ;;
  esac
done
cat <<'NOTE'

Durability: with SQLite synchronous=FULL (the default) and WAL, a 201 means the
report's commit was fsynced: it survives a process crash and a power loss.
SQLITE_SYNC=NORMAL survives a process crash but may lose the last commits on
power loss. EXTRA also syncs the directory on commit. PostgreSQL here runs with
fsync=on and synchronous_commit=on.
NOTE
