#!/usr/bin/env bash
# Runs the same `rocketactor bench` workloads against rocketactor and against the reference
# RocketMQ implementation (crates.io rocketmq-namesrv / rocketmq-broker 1.0.0, run through
# ../shared/scripts/reference-broker.sh), one after the other on the same loopback ports, and
# prints one table: every workload with both figures and their ratio, each broker's RssAnon and
# total RSS idle and after the run, and start-up time to the first acknowledged send.
#
#   scripts/bench-vs-reference.sh                # the whole run, about 10-15 minutes on 2 cores
#   SCALE=0.1 scripts/bench-vs-reference.sh      # a quick smoke run (a tenth of the messages)
#   ONLY=ours scripts/bench-vs-reference.sh      # our side only
#
# Environment: SCALE (message-count factor, default 1), ONLY (ours|reference), REF_INSTALL=0
# (never try to install a missing reference; the install takes ~15 minutes), REF_SCRIPT, REF_ROOT,
# WORK (scratch directory, default /tmp/bench-vs-reference), NS_PORT (19876), PORT (master
# 20911; a slave uses PORT+1000), BIN (the rocketactor binary; default: cargo build --release).
#
# Workloads (1 KiB bodies): single master ASYNC_FLUSH and SYNC_FLUSH with 1, 16 and 64 sends in
# flight and batches of 16; ASYNC_FLUSH paced at half its 64-in-flight peak (for p99 latency); a master + slave pair as ASYNC_MASTER and as SYNC_MASTER (64 in
# flight); filling a topic with 1M messages, then consuming those 1M. If the reference cannot be
# installed or run, the script says why and still prints our side of the table.
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

# ---------------------------------------------------------------- the two implementations
# start_ns IMPL; start_broker IMPL NAME PORT FLUSH ROLE ID (in the background; PID in
# $WORK/IMPL-NAME.pid once known); stop_broker IMPL NAME; stop_ns IMPL

start_ns() {
  case $1 in
    ours)
      "$BIN" namesrv --listen "$NS" >"$WORK/ours-namesrv.log" 2>&1 &
      echo $! >"$WORK/ours-namesrv.pid"
      wait_port "$NS_PORT"
      ;;
    ref) bash "$REF_SCRIPT" start-namesrv "$NS_PORT" >>"$WORK/ref-control.log" 2>&1 ;;
  esac
}

stop_ns() {
  case $1 in
    ours) stop_pid "$(cat "$WORK/ours-namesrv.pid" 2>/dev/null)" ;;
    ref) bash "$REF_SCRIPT" stop namesrv >>"$WORK/ref-control.log" 2>&1 ;;
  esac
  port_free "$NS_PORT"
}

start_broker() { # impl name port flush role id
  local impl=$1 name=$2 port=$3 flush=$4 role=$5 id=$6 store=$WORK/store/$1-$2
  rm -rf "$store"
  mkdir -p "$store"
  case $impl in
    ours)
      cat >"$WORK/ours-$name.properties" <<EOF
brokerClusterName=BenchCluster
brokerName=bench-a
brokerId=$id
namesrvAddr=$NS
brokerIP1=127.0.0.1
brokerIP2=127.0.0.1
listenPort=$port
autoCreateTopicEnable=true
storePathRootDir=$store
brokerRole=$role
flushDiskType=$flush
EOF
      "$BIN" -c "$WORK/ours-$name.properties" >"$WORK/ours-$name.log" 2>&1 &
      echo $! >"$WORK/ours-$name.pid"
      ;;
    ref)
      rm -f "$REF_RUN/$name.pid"
      # The helper returns once the broker has registered; `broker_ready` waits for it.
      bash "$REF_SCRIPT" start-broker "$name" listen="$port" namesrv="$NS" flush="$flush" \
        role="$role" id="$id" brokerName=bench-a cluster=BenchCluster store="$store" \
        >>"$WORK/ref-control.log" 2>&1 &
      echo $! >"$WORK/ref-$name.starter"
      for _ in $(seq 1 100); do [ -s "$REF_RUN/$name.pid" ] && break; sleep 0.02; done
      cp "$REF_RUN/$name.pid" "$WORK/ref-$name.pid" 2>/dev/null
      ;;
  esac
}

broker_ready() { # impl name port
  case $1 in
    ours) wait_port "$3" ;;
    ref)
      wait "$(cat "$WORK/ref-$2.starter")" 2>/dev/null
      cp "$REF_RUN/$2.pid" "$WORK/ref-$2.pid" 2>/dev/null
      wait_port "$3"
      ;;
  esac
}

broker_pid() { cat "$WORK/$1-$2.pid" 2>/dev/null; }

stop_broker() { # impl name port
  case $1 in
    ours) stop_pid "$(broker_pid "$1" "$2")" ;;
    ref) bash "$REF_SCRIPT" stop "$2" >>"$WORK/ref-control.log" 2>&1 ;;
  esac
  port_free "$3"
  rm -rf "$WORK/store/$1-$2"
}

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
  local m
  m=$(mem_of "$3")
  record "$1" "rss_anon_$2" "${m% *}"
  record "$1" "rss_$2" "${m#* }"
}

run_impl() { # impl
  local impl=$1 pid t0
  log "== $impl"
  start_ns "$impl" || { log "$impl: name server did not start"; return 1; }

  # Single master, ASYNC_FLUSH: start-up, memory, the four send shapes, 1M fill + consume.
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
  bench "$impl" async_if1 "ASYNC_FLUSH inflight 1" produce --topic A1 --inflight 1 --count "$(n 10000)"
  bench "$impl" async_if16 "ASYNC_FLUSH inflight 16" produce --topic A16 --inflight 16 --count "$(n 100000)"
  bench "$impl" async_if64 "ASYNC_FLUSH inflight 64" produce --topic A64 --inflight 64 --count "$(n 200000)"
  local peak
  peak=$(get "$impl" async_if64 | cut -f1)
  if [ -n "$peak" ] && [ "$peak" != failed ] && [ "$peak" -ge 2 ]; then
    bench "$impl" async_half "ASYNC_FLUSH inflight 64 at half that rate" produce --topic AH \
      --inflight 64 --rate "$((peak / 2))" --duration "$(secs 10)"
  fi
  bench "$impl" async_b16 "ASYNC_FLUSH batch 16" produce --topic AB --inflight 16 --batch 16 --count "$(n 400000)"
  bench "$impl" fill_1m "fill (batch 16, inflight 16)" produce --topic Consume --inflight 16 --batch 16 --count "$(n 1000000)"
  mem_sample "$impl" after_fill "$pid"
  bench "$impl" consume_1m "consume" consume --topic Consume --count "$(n 1000000)"
  mem_sample "$impl" after_run "$pid"
  stop_broker "$impl" master "$PORT"

  # Single master, SYNC_FLUSH (group commit).
  start_broker "$impl" master "$PORT" SYNC_FLUSH ASYNC_MASTER 0
  broker_ready "$impl" master "$PORT" && warm_up
  bench "$impl" sync_if1 "SYNC_FLUSH inflight 1" produce --topic S1 --inflight 1 --count "$(n 2000)"
  bench "$impl" sync_if16 "SYNC_FLUSH inflight 16" produce --topic S16 --inflight 16 --count "$(n 50000)"
  bench "$impl" sync_if64 "SYNC_FLUSH inflight 64" produce --topic S64 --inflight 64 --count "$(n 100000)"
  bench "$impl" sync_b16 "SYNC_FLUSH batch 16" produce --topic SB --inflight 16 --batch 16 --count "$(n 200000)"
  stop_broker "$impl" master "$PORT"

  # Master + slave, ASYNC_MASTER then SYNC_MASTER.
  local role key
  for role in ASYNC_MASTER SYNC_MASTER; do
    key=$(echo "$role" | tr 'A-Z' 'a-z')
    start_broker "$impl" master "$PORT" ASYNC_FLUSH "$role" 0
    broker_ready "$impl" master "$PORT"
    start_broker "$impl" slave "$SLAVE_PORT" ASYNC_FLUSH SLAVE 1
    broker_ready "$impl" slave "$SLAVE_PORT"
    [ "$role" = SYNC_MASTER ] && wait_slave "$impl"
    [ "$role" = ASYNC_MASTER ] && sleep 2
    bench "$impl" "${key}_if64" "$role + slave inflight 64" produce --topic "HA$key" --inflight 64 --count "$(n 100000)"
    stop_broker "$impl" slave "$SLAVE_PORT"
    stop_broker "$impl" master "$PORT"
  done
  stop_ns "$impl"
}

# ---------------------------------------------------------------- the table

get() { # impl key -> the recorded value (fields 3.. of the last matching line, tab-separated)
  awk -F'\t' -v i="$1" -v k="$2" '$1 == i && $2 == k {
    v = $3; for (j = 4; j <= NF; j++) v = v "\t" $j } END { print v }' "$RESULTS"
}

print_table() {
  local rows=(
    "async_if1|ASYNC_FLUSH, 1 in flight"
    "async_if16|ASYNC_FLUSH, 16 in flight"
    "async_if64|ASYNC_FLUSH, 64 in flight"
    "async_half|ASYNC_FLUSH, 64 in flight, paced at half that"
    "async_b16|ASYNC_FLUSH, batch 16 x 16 in flight"
    "sync_if1|SYNC_FLUSH, 1 in flight"
    "sync_if16|SYNC_FLUSH, 16 in flight"
    "sync_if64|SYNC_FLUSH, 64 in flight"
    "sync_b16|SYNC_FLUSH, batch 16 x 16 in flight"
    "async_master_if64|ASYNC_MASTER + slave, 64 in flight"
    "sync_master_if64|SYNC_MASTER + slave, 64 in flight"
    "fill_1m|fill 1M (batch 16 x 16 in flight)"
    "consume_1m|consume 1M stored"
  )
  echo
  echo "1 KiB messages; msgs/s (p99 latency in ms); ratio = rocketactor / reference"
  printf '%-48s %-24s %-24s %s\n' workload rocketactor reference ratio
  printf '%-48s %-24s %-24s %s\n' "--------" "-----------" "---------" "-----"
  local r key label o f
  for r in "${rows[@]}"; do
    key=${r%%|*}
    label=${r#*|}
    o=$(get ours "$key")
    f=$(get ref "$key")
    printf '%-48s %-24s %-24s %s\n' "$label" "$(fmt "$o")" "$(fmt "$f")" "$(ratio "$o" "$f")"
  done
  local m
  for m in startup_ms:"start-up to first send (ms)" \
    rss_anon_idle:"RssAnon idle (MiB)" rss_anon_after_fill:"RssAnon after 1M messages (MiB)" \
    rss_anon_after_run:"RssAnon after the run (MiB)" rss_idle:"RSS idle (MiB)" \
    rss_after_fill:"RSS after 1M messages (MiB)" rss_after_run:"RSS after the run (MiB)"; do
    key=${m%%:*}
    label=${m#*:}
    o=$(get ours "$key")
    f=$(get ref "$key")
    if [ "${key#rss}" != "$key" ]; then
      o=$(kib_mib "$o")
      f=$(kib_mib "$f")
    fi
    printf '%-48s %-24s %-24s %s\n' "$label" "${o:-n/a}" "${f:-n/a}" "$(plain_ratio "$o" "$f")"
  done
}

fmt() { # "msgs p50 p99 errors sent" -> "12345 (1.23 ms)"
  case "$1" in
    "") echo "n/a" ;;
    failed) echo "failed" ;;
    *) echo "$1" | awk -F'\t' '{ e = ($4 > 0) ? sprintf(" %d err", $4) : ""; printf "%d (%.2f ms)%s", $1, $3 / 1000, e }' ;;
  esac
}

ratio() {
  local a=${1%%$'\t'*} b=${2%%$'\t'*}
  plain_ratio "$a" "$b"
}

plain_ratio() {
  case "$1$2" in *n/a* | *failed*) echo "-"; return ;; esac
  [ -n "$1" ] && [ -n "$2" ] || { echo "-"; return; }
  awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2fx\n", a / b }'
}

kib_mib() { [ -n "$1" ] && awk -v k="$1" 'BEGIN { printf "%.1f\n", k / 1024 }'; }

print_targets() {
  local a64 s64 am sm c anon st ref64 half
  a64=$(get ours async_if64 | cut -f1)
  s64=$(get ours sync_if64 | cut -f1)
  am=$(get ours async_master_if64 | cut -f1)
  sm=$(get ours sync_master_if64 | cut -f1)
  c=$(get ours consume_1m | cut -f1)
  anon=$(get ours rss_anon_after_fill)
  st=$(get ours startup_ms)
  ref64=$(get ref async_if64 | cut -f1)
  half=$(get ours async_half | cut -f3)
  echo
  echo "Targets (rocketactor):"
  awk -v a="$a64" -v s="$s64" -v am="$am" -v sm="$sm" -v c="$c" -v anon="$anon" -v st="$st" \
    -v r="$ref64" -v h="$half" 'function row(name, ok, got) { printf "  %-52s %-5s %s\n", name, ok ? "met" : "MISSED", got }
    BEGIN {
      row("ASYNC_FLUSH, 64 in flight >= 100,000 msgs/s", a >= 100000, a " msgs/s")
      if (r > 0) row(">= 3x the reference", a >= 3 * r, sprintf("%.2fx", a / r))
      if (a > 0) row("SYNC_FLUSH >= 50% of ASYNC_FLUSH (64 in flight)", s >= a / 2, sprintf("%.0f%%", 100 * s / a))
      if (am > 0) row("SYNC_MASTER >= 50% of ASYNC_MASTER (with a slave)", sm >= am / 2, sprintf("%.0f%%", 100 * sm / am))
      if (h != "") row("p99 < 2 ms at half the peak rate (64 in flight)", h < 2000, sprintf("%.2f ms", h / 1000))
      row("consume >= 200,000 msgs/s", c >= 200000, c " msgs/s")
      row("RssAnon < 64 MiB after 1M messages", anon > 0 && anon < 65536, sprintf("%.1f MiB", anon / 1024))
      row("start-up to first send < 200 ms", st != "" && st < 200, st " ms")
    }'
}

# ---------------------------------------------------------------- main

cleanup() {
  local f
  for f in "$WORK"/*.pid; do
    [ -e "$f" ] && stop_pid "$(cat "$f")"
  done
  for f in "$REF_RUN"/*.pid; do
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

REF_NOTE=""
if [ "$ONLY" != ours ]; then
  if [ ! -f "$REF_SCRIPT" ]; then
    REF_NOTE="reference not run: $REF_SCRIPT not found"
  elif [ ! -x "$REF_ROOT/bin/rocketmq-broker-rust" ] || [ ! -x "$REF_ROOT/bin/rocketmq-namesrv-rust" ]; then
    if [ "${REF_INSTALL:-1}" = 0 ]; then
      REF_NOTE="reference not run: not installed in $REF_ROOT (bash $REF_SCRIPT install)"
    else
      log "installing the reference (about 15 minutes on 2 cores; log: $WORK/ref-install.log)"
      bash "$REF_SCRIPT" install >"$WORK/ref-install.log" 2>&1 ||
        REF_NOTE="reference not run: its install failed (see $WORK/ref-install.log)"
    fi
  fi
fi

[ "$ONLY" = reference ] || run_impl ours
if [ "$ONLY" != ours ] && [ -z "$REF_NOTE" ]; then
  run_impl ref || REF_NOTE="reference failed to start or to accept a send; see $REF_RUN/*.log"
fi

echo
echo "bench-vs-reference: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), SCALE=$SCALE"
[ -n "$REF_NOTE" ] && echo "NOTE: $REF_NOTE"
print_table
print_targets
echo
echo "raw results: $RESULTS"
