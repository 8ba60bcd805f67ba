#!/usr/bin/env bash
# Runs the same `rocketactor bench` workloads against rocketactor and against two references, on
# the same loopback ports, phase by phase (each phase runs on every implementation in turn, so a
# change of machine load hits all columns alike), and prints one table: every workload with each
# figure and the ratios of ours to each reference, RssAnon and RSS idle and after the run, the
# JVM heap, and start-up time to the first acknowledged send.
#   rocketmq-rust  crates.io rocketmq-namesrv / rocketmq-broker 1.0.0 (../shared/scripts/reference-broker.sh)
#   Java 4.9.7     Apache RocketMQ's released jars (scripts/java-reference.sh, heap -Xms1g -Xmx1g)
# One more row loads the ASYNC_FLUSH broker with the Java client itself (scripts/bench/JavaLoad.java:
# DefaultMQProducer, 64 threads of synchronous sends), so the comparison does not hinge on our client.
#
#   scripts/bench-vs-reference.sh                # the whole run, about 35-45 minutes on 2 cores
#   SCALE=0.1 scripts/bench-vs-reference.sh      # a quick smoke run (a tenth of the messages)
#   ONLY=ours,java scripts/bench-vs-reference.sh # a subset of the implementations
#
# Environment: SCALE (message-count factor, default 1), ONLY (comma list of ours, ref, java;
# default all three), REF_INSTALL=0 (never try to install a missing rocketmq-rust; the install takes
# ~15 minutes), REF_SCRIPT, REF_ROOT, JREF_HEAP (the Java heap, default 1g), WORK (scratch
# directory, default /tmp/bench-vs-reference), NS_PORT (19876), PORT (master 20911; a slave uses
# PORT+1000), BIN (the rocketactor binary; default: cargo build --release).
#
# Workloads (1 KiB bodies): single master ASYNC_FLUSH and SYNC_FLUSH with 1, 16 and 64 sends in
# flight and batches of 16; ASYNC_FLUSH paced at half its 64-in-flight peak (for p99 latency); the
# Java client at 64 threads; a master + slave pair as ASYNC_MASTER and as SYNC_MASTER (64 in
# flight); filling a topic with 1M messages, then consuming those 1M. A reference that cannot be
# installed or run is reported in a NOTE line and left out of the table.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/bench-vs-reference}
SCALE=${SCALE:-1}
ONLY=${ONLY:-}
NS_PORT=${NS_PORT:-19876}
PORT=${PORT:-20911}
SLAVE_PORT=$((PORT + 1000))
REF_SCRIPT=${REF_SCRIPT:-$ROOT/../shared/scripts/reference-broker.sh}
export REF_ROOT=${REF_ROOT:-$HOME/.cache/reference-rocketmq}
export REF_RUN=$WORK/ref-run
RESULTS=$WORK/results.tsv
NS=127.0.0.1:$NS_PORT

n() { awk -v c="$1" -v s="$SCALE" 'BEGIN { v = int(c * s); print (v < 100 ? 100 : v) }'; }
secs() { awk -v c="$1" -v s="$SCALE" 'BEGIN { v = int(c * s); print (v < 2 ? 2 : v) }'; }
now_ms() { date +%s%3N; }
log() { echo "[$(date +%T)] $*" >&2; }
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RESULTS"; }

wait_port() { # port [tries of 50 ms]
  for _ in $(seq 1 "${2:-400}"); do
    ss -ltn "sport = :$1" 2>/dev/null | grep -q LISTEN && return 0
    sleep 0.05
  done
  return 1
}

port_free() { # port: wait until nothing listens there any more
  for _ in $(seq 1 400); do
    ss -ltn "sport = :$1" 2>/dev/null | grep -q LISTEN || return 0
    sleep 0.05
  done
  return 1
}

stop_pid() { # pid: SIGTERM, SIGKILL after 20 s
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}

mem_of() { # pid -> "rss_anon_kib rss_kib"
  awk '/^RssAnon:/ {a=$2} /^VmRSS:/ {r=$2} END {print a+0, r+0}' "/proc/$1/status" 2>/dev/null || echo "0 0"
}

# shellcheck source=bench/impls.sh
. "$ROOT/scripts/bench/impls.sh"
# shellcheck source=bench/table.sh
. "$ROOT/scripts/bench/table.sh"

# ---------------------------------------------------------------- workloads

bench() { # impl key label subcommand args... -> records msgs/s, p50, p99, errors
  local impl=$1 key=$2 label=$3 sub=$4
  shift 4
  local out line
  out=$(timeout 600 "$BIN" bench "$sub" --namesrv "$NS" --size 1024 --json --quiet "$@" 2>&1)
  line=$(printf '%s\n' "$out" | tail -n 1)
  if ! printf '%s' "$line" | jq -e .msgs_per_s >/dev/null 2>&1; then
    log "$impl $label: no result: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
    record "$impl" "$key" "failed"
    return 1
  fi
  local v
  v=$(printf '%s' "$line" | jq -r '[(.msgs_per_s|floor), .p50_us, .p99_us, .errors, .sent] | @tsv')
  record "$impl" "$key" "$v"
  log "$impl $label: $(printf '%s' "$line" | jq -r '"\(.msgs_per_s|floor) msgs/s, p50 \(.p50_us) us, p99 \(.p99_us) us, errors \(.errors), sent \(.sent)"')"
}

startup_probe() { # impl t0 -> records ms from broker launch to the first acknowledged send
  local out
  out=$(timeout 60 "$BIN" bench produce --namesrv "$NS" --topic StartupProbe --count 1 \
    --inflight 1 --json --quiet 2>&1 | tail -n 1)
  local t1
  t1=$(now_ms)
  if [ "$(printf '%s' "$out" | jq -r '.sent // 0' 2>/dev/null)" = "1" ]; then
    record "$1" startup_ms "$((t1 - $2))"
    log "$1: first send acknowledged $((t1 - $2)) ms after the broker was launched"
    return 0
  fi
  record "$1" startup_ms failed
  log "$1: no acknowledged send after start-up: $out"
  return 1
}

warm_up() { # one send, so the route is known before a timed run
  timeout 60 "$BIN" bench produce --namesrv "$NS" --topic StartupProbe --count 1 --inflight 1 \
    --quiet >/dev/null 2>&1
}

warm_burst() { # untimed load before the timed runs of a phase, for every implementation alike: a
  # fresh JVM interprets before its JIT compiles, and our first writes fault in fresh pages
  timeout 120 "$BIN" bench produce --namesrv "$NS" --topic Warm --size 1024 --inflight 64 \
    --count "$(n 20000)" --quiet >/dev/null 2>&1
}

wait_slave() { # impl: until a SYNC_MASTER send comes back SEND_OK (the slave has caught up)
  for _ in $(seq 1 60); do
    local out
    out=$(timeout 20 "$BIN" bench produce --namesrv "$NS" --topic SlaveProbe --count 1 \
      --inflight 1 --json --quiet 2>/dev/null | tail -n 1)
    [ "$(printf '%s' "$out" | jq -r '.status_SEND_OK // 0' 2>/dev/null)" = "1" ] && return 0
    sleep 0.5
  done
  log "$1: the slave never acknowledged; the SYNC_MASTER figure is without a caught-up slave"
  return 1
}

mem_sample() { # impl phase pid
  local m h
  m=$(mem_of "$3")
  record "$1" "rss_anon_$2" "${m% *}"
  record "$1" "rss_$2" "${m#* }"
  if [ "$1" = java ]; then
    h=$(java_heap_used_kib "$3")
    [ -n "$h" ] && record "$1" "heap_$2" "$h"
  fi
}

java_client() { # impl key label args... -> the Java 4.9.7 client's load (scripts/bench/JavaLoad.java)
  local impl=$1 key=$2 label=$3 out line v
  shift 3
  [ -n "${JAVA_CP:-}" ] || { record "$impl" "$key" failed; return 1; }
  out=$(timeout 600 java -Xms256m -Xmx256m -cp "$JAVA_CP" "$ROOT/scripts/bench/JavaLoad.java" \
    --namesrv "$NS" --size 1024 "$@" 2>&1)
  line=$(printf '%s\n' "$out" | tail -n 1)
  if ! printf '%s' "$line" | jq -e .msgs_per_s >/dev/null 2>&1; then
    log "$impl $label: no result: $(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
    record "$impl" "$key" failed
    return 1
  fi
  v=$(printf '%s' "$line" | jq -r '[(.msgs_per_s|floor), .p50_us, .p99_us, .errors, .sent] | @tsv')
  record "$impl" "$key" "$v"
  log "$impl $label: $(printf '%s' "$line" | jq -r '"\(.msgs_per_s|floor) msgs/s, p50 \(.p50_us) us, p99 \(.p99_us) us, errors \(.errors), first error \(.first_error // "none")"')"
}

# ---------------------------------------------------------------- phases (each on one implementation)

phase_async() { # impl: single master ASYNC_FLUSH: start-up, memory, the send shapes, 1M fill + consume
  local impl=$1 pid t0 peak
  start_ns "$impl" || { log "$impl: name server did not start"; return 1; }
  t0=$(now_ms)
  start_broker "$impl" master "$PORT" ASYNC_FLUSH ASYNC_MASTER 0
  if ! startup_probe "$impl" "$t0"; then
    stop_broker "$impl" master "$PORT"
    stop_ns "$impl"
    return 1
  fi
  broker_ready "$impl" master "$PORT"
  pid=$(broker_pid "$impl" master)
  sleep 1
  mem_sample "$impl" idle "$pid"
  warm_burst
  bench "$impl" async_if1 "ASYNC_FLUSH inflight 1" produce --topic A1 --inflight 1 --count "$(n 10000)"
  bench "$impl" async_if16 "ASYNC_FLUSH inflight 16" produce --topic A16 --inflight 16 --count "$(n 100000)"
  bench "$impl" async_if64 "ASYNC_FLUSH inflight 64" produce --topic A64 --inflight 64 --count "$(n 200000)"
  peak=$(get "$impl" async_if64 | cut -f1)
  if [ -n "$peak" ] && [ "$peak" != failed ] && [ "$peak" -ge 2 ]; then
    bench "$impl" async_half "ASYNC_FLUSH inflight 64 at half that rate" produce --topic AH \
      --inflight 64 --rate "$((peak / 2))" --duration "$(secs 10)"
  fi
  bench "$impl" async_b16 "ASYNC_FLUSH batch 16" produce --topic AB --inflight 16 --batch 16 --count "$(n 400000)"
  java_client "$impl" jclient_if64 "Java client 64 threads" --topic JL --threads 64 --count "$(n 200000)"
  bench "$impl" fill_1m "fill (batch 16, inflight 16)" produce --topic Consume --inflight 16 --batch 16 --count "$(n 1000000)"
  mem_sample "$impl" after_fill "$pid"
  bench "$impl" consume_1m "consume" consume --topic Consume --count "$(n 1000000)"
  mem_sample "$impl" after_run "$pid"
  stop_broker "$impl" master "$PORT"
  stop_ns "$impl"
}

phase_sync() { # impl: single master SYNC_FLUSH (group commit)
  local impl=$1
  start_ns "$impl" || return 1
  start_broker "$impl" master "$PORT" SYNC_FLUSH ASYNC_MASTER 0
  broker_ready "$impl" master "$PORT" && warm_up && warm_burst
  bench "$impl" sync_if1 "SYNC_FLUSH inflight 1" produce --topic S1 --inflight 1 --count "$(n 2000)"
  bench "$impl" sync_if16 "SYNC_FLUSH inflight 16" produce --topic S16 --inflight 16 --count "$(n 50000)"
  bench "$impl" sync_if64 "SYNC_FLUSH inflight 64" produce --topic S64 --inflight 64 --count "$(n 100000)"
  bench "$impl" sync_b16 "SYNC_FLUSH batch 16" produce --topic SB --inflight 16 --batch 16 --count "$(n 200000)"
  stop_broker "$impl" master "$PORT"
  stop_ns "$impl"
}

phase_pair() { # impl role: master + slave (ASYNC_FLUSH), the master as ASYNC_MASTER or SYNC_MASTER
  local impl=$1 role=$2 key
  key=$(echo "$role" | tr 'A-Z' 'a-z')
  start_ns "$impl" || return 1
  start_broker "$impl" master "$PORT" ASYNC_FLUSH "$role" 0
  broker_ready "$impl" master "$PORT"
  start_broker "$impl" slave "$SLAVE_PORT" ASYNC_FLUSH SLAVE 1
  broker_ready "$impl" slave "$SLAVE_PORT"
  [ "$role" = SYNC_MASTER ] && wait_slave "$impl"
  [ "$role" = ASYNC_MASTER ] && sleep 2
  warm_burst
  bench "$impl" "${key}_if64" "$role + slave inflight 64" produce --topic "HA$key" --inflight 64 --count "$(n 100000)"
  stop_broker "$impl" slave "$SLAVE_PORT"
  stop_broker "$impl" master "$PORT"
  stop_ns "$impl"
}

# ---------------------------------------------------------------- main

cleanup() {
  local f
  for f in "$WORK"/*.pid; do
    [ -e "$f" ] && stop_pid "$(cat "$f")"
  done
  for f in "$REF_RUN"/*.pid "$JREF_RUN"/*/pid; do
    [ -e "$f" ] && stop_pid "$(cat "$f")"
  done
  return 0
}
trap cleanup EXIT

for tool in jq ss awk; do
  command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
rm -rf "$WORK"
mkdir -p "$WORK/store" "$REF_RUN"
: >"$RESULTS"
if [ -z "${BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release --quiet) || { echo "cargo build --release failed" >&2; exit 1; }
  BIN=$ROOT/target/release/rocketactor
fi
for p in "$NS_PORT" "$PORT" "$SLAVE_PORT"; do
  port_free "$p" || { echo "port $p is in use" >&2; exit 2; }
done

IMPLS=()
for i in ours ref java; do
  case ",${ONLY:-ours,ref,java}," in *",$i,"*) IMPLS+=("$i") ;; esac
done
REF_NOTE=""
JAVA_NOTE=""
case " ${IMPLS[*]} " in *" ref "*) check_ref ;; esac
case " ${IMPLS[*]} " in *" java "* | *" ours "*) check_java ;; esac
[ -z "$JAVA_NOTE" ] && JAVA_CP=$(bash "$JREF" classpath 2>/dev/null)
RAN=()
for i in "${IMPLS[@]}"; do
  case $i in
    ref) [ -n "$REF_NOTE" ] && continue ;;
    java) [ -n "$JAVA_NOTE" ] && continue ;;
  esac
  RAN+=("$i")
done

for phase in async sync async_master sync_master; do
  for i in "${RAN[@]}"; do
    log "== $phase on $(impl_label "$i")"
    case $phase in
      async) phase_async "$i" ;;
      sync) phase_sync "$i" ;;
      async_master) phase_pair "$i" ASYNC_MASTER ;;
      sync_master) phase_pair "$i" SYNC_MASTER ;;
    esac || log "$(impl_label "$i"): phase $phase failed; see the logs in $WORK"
  done
done

echo
echo "bench-vs-reference: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), SCALE=$SCALE, Java heap -Xms${JREF_HEAP:-1g} -Xmx${JREF_HEAP:-1g}"
[ -n "$REF_NOTE" ] && echo "NOTE: $REF_NOTE"
[ -n "$JAVA_NOTE" ] && echo "NOTE: $JAVA_NOTE"
print_table "${RAN[@]}"
print_targets
echo
echo "raw results: $RESULTS"
