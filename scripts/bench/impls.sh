# Sourced by scripts/bench-vs-reference.sh: how to start and stop the name server and brokers of
# each implementation on the same loopback ports.
#   ours  rocketactor ($BIN)
#   ref   crates.io rocketmq-namesrv / rocketmq-broker 1.0.0 (rocketmq-rust), via $REF_SCRIPT
#   java  Apache RocketMQ 4.9.7, the released jars, via scripts/java-reference.sh
# start_ns IMPL; start_broker IMPL NAME PORT FLUSH ROLE ID (in the background; the PID lands in
# $WORK/IMPL-NAME.pid once known); broker_ready IMPL NAME PORT; stop_broker IMPL NAME PORT; stop_ns IMPL

JREF=${JREF:-$ROOT/scripts/java-reference.sh}
export JREF_RUN=${JREF_RUN:-$WORK/java-run}

impl_label() {
  case $1 in
    ours) echo rocketactor ;;
    ref) echo "rocketmq-rust 1.0.0" ;;
    java) echo "Java 4.9.7" ;;
  esac
}

start_ns() {
  case $1 in
    ours)
      "$BIN" namesrv --listen "$NS" >"$WORK/ours-namesrv.log" 2>&1 &
      echo $! >"$WORK/ours-namesrv.pid"
      wait_port "$NS_PORT"
      ;;
    ref) bash "$REF_SCRIPT" start-namesrv "$NS_PORT" >>"$WORK/ref-control.log" 2>&1 ;;
    java) bash "$JREF" start-namesrv "$NS_PORT" >>"$WORK/java-control.log" 2>&1 ;;
  esac
}

stop_ns() {
  case $1 in
    ours) stop_pid "$(cat "$WORK/ours-namesrv.pid" 2>/dev/null)" ;;
    ref) bash "$REF_SCRIPT" stop namesrv >>"$WORK/ref-control.log" 2>&1 ;;
    java) bash "$JREF" stop "namesrv-$NS_PORT" >>"$WORK/java-control.log" 2>&1 ;;
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
    java)
      rm -f "$JREF_RUN/java-$name/pid"
      # The same keys as ours; java-reference.sh returns once the port accepts.
      bash "$JREF" start-broker "java-$name" brokerClusterName=BenchCluster brokerName=bench-a \
        brokerId="$id" namesrvAddr="$NS" listenPort="$port" autoCreateTopicEnable=true \
        storePathRootDir="$store" brokerRole="$role" flushDiskType="$flush" \
        >>"$WORK/java-control.log" 2>&1 &
      echo $! >"$WORK/java-$name.starter"
      for _ in $(seq 1 100); do [ -s "$JREF_RUN/java-$name/pid" ] && break; sleep 0.02; done
      cp "$JREF_RUN/java-$name/pid" "$WORK/java-$name.pid" 2>/dev/null
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
    java)
      wait "$(cat "$WORK/java-$2.starter")" 2>/dev/null
      cp "$JREF_RUN/java-$2/pid" "$WORK/java-$2.pid" 2>/dev/null
      wait_port "$3"
      ;;
  esac
}

broker_pid() { cat "$WORK/$1-$2.pid" 2>/dev/null; }

stop_broker() { # impl name port
  case $1 in
    ours) stop_pid "$(broker_pid "$1" "$2")" ;;
    ref) bash "$REF_SCRIPT" stop "$2" >>"$WORK/ref-control.log" 2>&1 ;;
    java) bash "$JREF" stop "java-$2" >>"$WORK/java-control.log" 2>&1 ;;
  esac
  port_free "$3"
  rm -rf "$WORK/store/$1-$2"
}

# Availability of the two references; sets REF_NOTE / JAVA_NOTE when one cannot run.
check_ref() {
  REF_NOTE=""
  if [ ! -f "$REF_SCRIPT" ]; then
    REF_NOTE="rocketmq-rust not run: $REF_SCRIPT not found"
  elif [ ! -x "$REF_ROOT/bin/rocketmq-broker-rust" ] || [ ! -x "$REF_ROOT/bin/rocketmq-namesrv-rust" ]; then
    if [ "${REF_INSTALL:-1}" = 0 ]; then
      REF_NOTE="rocketmq-rust not run: not installed in $REF_ROOT (bash $REF_SCRIPT install)"
    else
      log "installing rocketmq-rust (about 15 minutes on 2 cores; log: $WORK/ref-install.log)"
      bash "$REF_SCRIPT" install >"$WORK/ref-install.log" 2>&1 ||
        REF_NOTE="rocketmq-rust not run: its install failed (see $WORK/ref-install.log)"
    fi
  fi
}

check_java() {
  JAVA_NOTE=""
  command -v java >/dev/null || { JAVA_NOTE="Java 4.9.7 not run: no java on PATH"; return; }
  bash "$JREF" install >>"$WORK/java-control.log" 2>&1 ||
    JAVA_NOTE="Java 4.9.7 not run: scripts/java-reference.sh install failed (see $WORK/java-control.log)"
}

# Heap figures of a JVM (jcmd GC.heap_info "used"), in KiB; empty for the native brokers.
java_heap_used_kib() { # pid
  command -v jcmd >/dev/null || return 0
  jcmd "$1" GC.heap_info 2>/dev/null | awk '/heap/ && /used/ {
    for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); gsub(/[^0-9]/, "", v); print v; exit } }'
}
