#!/usr/bin/env bash
# Broker instructions per message for ASYNC_FLUSH 1 KiB sends (issue #17; BENCHMARKS.md "Profile").
#
# Starts a name server (natively) and one ASYNC_FLUSH master under
# `valgrind --tool=callgrind`, warms the broker, zeroes its counters, sends COUNT 1 KiB messages
# with `rocketactor bench produce --inflight 64`, dumps the counters and prints the broker's
# instructions per message plus the top functions (inclusive and self) from callgrind_annotate.
# Instruction counts do not depend on the load of the machine, so before/after figures taken on a
# shared machine compare fairly (wall-clock rates do not).
#
# Environment: BIN (rocketactor binary; default target/release/rocketactor, built with
# [profile.release] debug = 1 so the profile has symbols), COUNT (20000), WARM (2000),
# INFLIGHT (64), SIZE (1024), TOP (25), WORK (output directory; default a new temp dir),
# NS_PORT / PORT (default: free ports picked by the OS).
# Output: the figure on stdout; the raw profile in $WORK/callgrind.out.* (open with
# callgrind_annotate or kcachegrind).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/target/release/rocketactor}
COUNT=${COUNT:-20000}
WARM=${WARM:-2000}
INFLIGHT=${INFLIGHT:-64}
SIZE=${SIZE:-1024}
TOP=${TOP:-25}
WORK=${WORK:-$(mktemp -d /tmp/callgrind-send.XXXXXX)}
mkdir -p "$WORK"

for tool in valgrind callgrind_control callgrind_annotate ss; do
  command -v "$tool" >/dev/null || { echo "callgrind-send: $tool not found (apt-get install valgrind iproute2)" >&2; exit 2; }
done
[ -x "$BIN" ] || { echo "callgrind-send: $BIN not found (cargo build --release)" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
NS_PORT=${NS_PORT:-$(free_port)}
PORT=${PORT:-$(free_port)}
NS=127.0.0.1:$NS_PORT

log() { echo "[$(date +%T)] $*" >&2; }

wait_port() { # port [tries of 100 ms]
  for _ in $(seq 1 "${2:-600}"); do
    ss -ltn "sport = :$1" 2>/dev/null | grep -q LISTEN && return 0
    sleep 0.1
  done
  return 1
}

stop_pid() { # pid: SIGTERM, SIGKILL after 60 s (valgrind is slow to exit)
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

NS_PID=""
BROKER_PID=""
cleanup() {
  stop_pid "$BROKER_PID"
  stop_pid "$NS_PID"
}
trap cleanup EXIT

"$BIN" namesrv --listen "$NS" >"$WORK/namesrv.log" 2>&1 &
NS_PID=$!
wait_port "$NS_PORT" || { echo "callgrind-send: name server did not listen on $NS_PORT" >&2; exit 1; }

mkdir -p "$WORK/store"
cat >"$WORK/broker.properties" <<EOF
brokerClusterName=CallgrindCluster
brokerName=cg-a
brokerId=0
namesrvAddr=$NS
brokerIP1=127.0.0.1
brokerIP2=127.0.0.1
listenPort=$PORT
autoCreateTopicEnable=true
storePathRootDir=$WORK/store
brokerRole=ASYNC_MASTER
flushDiskType=ASYNC_FLUSH
EOF

# --dump-instr=no keeps the dump small; --collect-atstart=yes so zeroing later is all it takes.
valgrind --tool=callgrind --trace-children=no \
  --callgrind-out-file="$WORK/callgrind.out.%p" \
  "$BIN" -c "$WORK/broker.properties" >"$WORK/broker.log" 2>&1 &
BROKER_PID=$!
log "broker under callgrind: pid $BROKER_PID, port $PORT, name server $NS, work $WORK"
wait_port "$PORT" 1200 || { echo "callgrind-send: broker did not listen on $PORT (see $WORK/broker.log)" >&2; exit 1; }

produce() { # topic count
  timeout 1200 "$BIN" bench produce --namesrv "$NS" --topic "$1" --size "$SIZE" \
    --inflight "$INFLIGHT" --count "$2" --json --quiet 2>>"$WORK/produce.log" | tail -n 1
}

# The first send waits for the topic route (auto-created through TBW102); retry until one lands.
for _ in $(seq 1 60); do
  if timeout 60 "$BIN" bench produce --namesrv "$NS" --topic CgSend --size "$SIZE" --inflight 1 \
    --count 1 --json --quiet >>"$WORK/produce.log" 2>&1; then
    break
  fi
  sleep 1
done
log "warming: $WARM sends"
produce CgSend "$WARM" >"$WORK/warm.json"

callgrind_control --zero "$BROKER_PID" >/dev/null
log "measuring: $COUNT sends"
produce CgSend "$COUNT" >"$WORK/measured.json"
callgrind_control --dump="send-$COUNT" "$BROKER_PID" >/dev/null

# The dump is written asynchronously by the tool; wait for the file with our description.
DUMP=""
for _ in $(seq 1 300); do
  DUMP=$(grep -l "^desc: Trigger: .*send-$COUNT\$" "$WORK"/callgrind.out.* 2>/dev/null | head -n 1 || true)
  [ -n "$DUMP" ] && break
  sleep 0.1
done
[ -n "$DUMP" ] || { echo "callgrind-send: no dump in $WORK" >&2; exit 1; }

sent=$(sed -n 's/.*"sent":\([0-9]*\).*/\1/p' "$WORK/measured.json")
sent=${sent:-$COUNT}
total=$(awk '/^(summary|totals):/ {print $2; exit}' "$DUMP")

echo "binary: $BIN"
echo "dump: $DUMP"
echo "produce: $(cat "$WORK/measured.json")"
echo "broker instructions: $total for $sent messages"
awk -v t="$total" -v n="$sent" 'BEGIN { printf "broker instructions per message: %.0f\n", t / n }'
echo
# callgrind_annotate lines are "COUNT (PCT)  FILE:FUNCTION [OBJECT]"; keep COUNT, PCT, FUNCTION.
annotate() { # inclusive(yes|no) filter-regex
  callgrind_annotate --inclusive="$1" --threshold=100 "$DUMP" 2>/dev/null |
    awk '/file:function/ { body = 1; getline; next } body && NF' |
    sed -E 's#^( *[0-9,]+ +\( *[0-9.]+%\)) +[^ :]*:([^:])#\1  \2#; s# \[[^]]*\]$##' |
    grep -E -- "$2" | head -n "$TOP"
}
echo
echo "== top $TOP inclusive (rocketactor:: frames; the runtime frames above them are ~100%) =="
annotate yes 'rocketactor::' || true # head closes the pipe early
echo
echo "== top $TOP self (scripts/bench/callgrind-self.py) =="
python3 "$ROOT/scripts/bench/callgrind-self.py" "$DUMP" "$TOP" || true
