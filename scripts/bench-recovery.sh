#!/usr/bin/env bash
# Recovery time after kill -9, per GiB of commit log (issue #16; a benchmark, not a test).
#
# For each case: a single master (release binary) is filled with GIB GiB of messages through
# `rocketactor bench produce`, killed with SIGKILL (so the abort file stays and the restart runs
# abnormal recovery), restarted on the same store, and timed from the restart's launch to
#   - the broker's "recovery done" log line (commit log validated, queues and index re-dispatched),
#   - its client port listening,
#   - the first served pull (`rocketactor bench consume --count 1`, through the name server).
# Before the restart the script runs `sync` (the fill's dirty pages written back; the page cache
# stays warm), so the time is the broker's own. Cases: ASYNC_FLUSH and SYNC_FLUSH as they are
# after the kill, and ASYNC_FLUSH with the
# consume queues and index deleted before the restart (everything re-dispatched from the commit
# log: the worst case, which gives the per-GiB rebuild rate).
#
#   scripts/bench-recovery.sh            # 1 GiB per case (about 3 GiB of disk at a time: 1)
#   GIB=4 scripts/bench-recovery.sh      # 4 GiB per case
#   CASES="SYNC_FLUSH" scripts/bench-recovery.sh
#
# Environment: GIB (default 1), RUNS (rounds over the cases, default 1; a shared machine's
# figures vary, so take several), SIZE (body bytes, default 4096), CASES (any of ASYNC_FLUSH
# SYNC_FLUSH REBUILD; default all three), WORK (scratch directory, default
# /tmp/bench-recovery; each case's store is removed after it), NS_PORT (default 29876), PORT
# (broker listenPort, default 30911), BIN (default: target/release/rocketactor, built if missing).
# Prints one line per case and a Markdown table at the end.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
GIB=${GIB:-1}
SIZE=${SIZE:-4096}
CASES=${CASES:-"ASYNC_FLUSH SYNC_FLUSH REBUILD"}
RUNS=${RUNS:-1}
WORK=${WORK:-/tmp/bench-recovery}
NS_PORT=${NS_PORT:-29876}
PORT=${PORT:-30911}
NS=127.0.0.1:$NS_PORT
BIN=${BIN:-$ROOT/target/release/rocketactor}

log() { echo "[$(date +%T)] $*" >&2; }
now_ms() { date +%s%3N; }
die() { log "bench-recovery: $*"; exit 1; }

listening() { ss -ltn "sport = :$1" 2>/dev/null | grep -q LISTEN; }

wait_port() { # port [tries of 20 ms]
  for _ in $(seq 1 "${2:-3000}"); do listening "$1" && return 0; sleep 0.02; done
  return 1
}

port_free() {
  for _ in $(seq 1 500); do listening "$1" || return 0; sleep 0.02; done
  return 1
}

stop_pid() { # SIGTERM, SIGKILL after 20 s; only our own PIDs are passed here
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}

NS_PID=
BROKER_PID=
cleanup() {
  stop_pid "$BROKER_PID"
  stop_pid "$NS_PID"
}
trap cleanup EXIT

if [ ! -x "$BIN" ]; then
  log "building the release binary"
  (cd "$ROOT" && cargo build --release --bin rocketactor) || die "release build failed"
fi
command -v jq >/dev/null || die "jq is needed"
mkdir -p "$WORK"
listening "$NS_PORT" && die "port $NS_PORT is taken (set NS_PORT)"
for p in $((PORT - 2)) "$PORT" $((PORT + 1)); do
  listening "$p" && die "port $p is taken (set PORT)"
done

"$BIN" namesrv --listen "$NS" >"$WORK/namesrv.log" 2>&1 &
NS_PID=$!
wait_port "$NS_PORT" || die "the name server did not listen"

broker_conf() { # flush store -> properties file
  cat >"$WORK/broker.properties" <<EOF
brokerClusterName=RecoveryBench
brokerName=recovery-a
brokerId=0
namesrvAddr=$NS
brokerIP1=127.0.0.1
brokerIP2=127.0.0.1
listenPort=$PORT
autoCreateTopicEnable=true
storePathRootDir=$2
brokerRole=ASYNC_MASTER
flushDiskType=$1
maxMessageSize=$((SIZE + 65536))
EOF
}

start_broker() { # log file (emptied first, so nothing of an earlier run is read)
  : >"$1"
  "$BIN" -c "$WORK/broker.properties" >"$1" 2>&1 &
  BROKER_PID=$!
}

first_pull() { # until a pull of the topic is served (bounded: 120 s)
  local until=$(($(now_ms) + 120000))
  while [ "$(now_ms)" -lt "$until" ]; do
    if timeout 30 "$BIN" bench consume --namesrv "$NS" --topic RecoveryBench --count 1 \
      --quiet >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.05
  done
  return 1
}

RESULTS=()
for run in $(seq 1 "$RUNS"); do
for case in $CASES; do
  flush=$case
  [ "$case" = REBUILD ] && flush=ASYNC_FLUSH
  store=$WORK/store-$case
  rm -rf "$store"
  mkdir -p "$store"
  broker_conf "$flush" "$store"
  start_broker "$WORK/$case-fill.log"
  wait_port "$PORT" || die "$case: the broker did not listen"
  count=$(awk -v g="$GIB" -v s="$SIZE" 'BEGIN { printf "%d", g * 1073741824 / (s + 200) }')
  log "$case: filling $GIB GiB ($count messages of $SIZE bytes)"
  t=$(now_ms)
  out=$(timeout 3600 "$BIN" bench produce --namesrv "$NS" --topic RecoveryBench --size "$SIZE" \
    --count "$count" --inflight 64 --producers 2 --threads 2 --json --quiet 2>&1 | tail -n 1)
  fill_ms=$(($(now_ms) - t))
  sent=$(printf '%s' "$out" | jq -r '.sent // 0' 2>/dev/null)
  [ "${sent:-0}" -gt 0 ] || die "$case: the fill failed: $out"
  kill -KILL "$BROKER_PID"
  wait "$BROKER_PID" 2>/dev/null
  BROKER_PID=
  port_free "$PORT" || die "$case: port $PORT still taken after the kill"
  [ -f "$store/abort" ] || log "$case: no abort file after kill -9 (unexpected)"
  # The fill's dirty pages are written back first, so the figure is the broker's recovery,
  # not the kernel's writeback competing with it (the page cache stays warm).
  sync
  if [ "$case" = REBUILD ]; then
    rm -rf "$store/consumequeue" "$store/index"
  fi
  log "$case: $sent sent in $fill_ms ms; restarting"
  restart_log=$WORK/$case-restart.log
  t0=$(now_ms)
  start_broker "$restart_log"
  recovered_ms=
  listen_ms=
  until [ -n "$recovered_ms" ] && [ -n "$listen_ms" ]; do
    now=$(now_ms)
    [ $((now - t0)) -lt 600000 ] || die "$case: no recovery within 600 s"
    kill -0 "$BROKER_PID" 2>/dev/null || die "$case: the broker exited: $(tail -n 5 "$restart_log")"
    if [ -z "$recovered_ms" ] && grep -q "recovery done" "$restart_log"; then
      recovered_ms=$((now - t0))
    fi
    if [ -z "$listen_ms" ] && listening "$PORT"; then
      listen_ms=$((now - t0))
    fi
    sleep 0.01
  done
  first_pull || die "$case: no pull served after the restart"
  pull_ms=$(($(now_ms) - t0))
  done_line=$(grep -m1 "recovery done" "$restart_log")
  field() { printf '%s' "$done_line" | sed -n "s/.*[ ,]$1: \([^,]*\).*/\1/p"; }
  # The commit log's end offset after recovery: the bytes of data it holds.
  cl_bytes=$(field end)
  detail="abnormal=$(field abnormal) reput_from=$(field reput_from) redispatched=$(field redispatched)"
  gib_cl=$(awk -v b="$cl_bytes" 'BEGIN { printf "%.2f", b / 1073741824 }')
  per_gib=$(awk -v ms="$recovered_ms" -v b="$cl_bytes" 'BEGIN { printf "%d", ms / (b / 1073741824) }')
  line="$case (run $run, load $(cut -d' ' -f1 /proc/loadavg)): commit log ${gib_cl} GiB, recovery done ${recovered_ms} ms (${per_gib} ms/GiB), listening ${listen_ms} ms, first pull served ${pull_ms} ms after launch; ${detail}"
  log "$line"
  RESULTS+=("| $case | $run | $(cut -d' ' -f1 /proc/loadavg) | $sent | $gib_cl | $recovered_ms | $per_gib | $listen_ms | $pull_ms | $detail |")
  stop_pid "$BROKER_PID"
  BROKER_PID=
  port_free "$PORT"
  rm -rf "$store"
done
done

echo
echo "| case | run | load avg | sent | commit log (GiB) | recovery done (ms) | ms per GiB | listening (ms) | first pull (ms) | recovery log |"
echo "|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${RESULTS[@]}"
