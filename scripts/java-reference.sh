#!/usr/bin/env bash
# The Java reference: Apache RocketMQ's released 4.9.7 name server and broker (Maven Central jars,
# never a source build), run on loopback next to ours. See scripts/java-reference.md.
#
#   scripts/java-reference.sh install                       # once: jars into $JREF_HOME/lib
#   scripts/java-reference.sh start-namesrv PORT            # NamesrvStartup on 127.0.0.1:PORT
#   scripts/java-reference.sh start-broker NAME key=value...# BrokerStartup -c $JREF_RUN/NAME/broker.properties
#   scripts/java-reference.sh stop NAME                     # stops what start-* started under NAME
#   scripts/java-reference.sh kill NAME                     # the same with SIGKILL (abnormal stop)
#   scripts/java-reference.sh status NAME | classpath | jvm-flags
#
# The name server is registered under the name `namesrv-PORT`. Environment: JREF_HOME (jars,
# default ~/.cache/rocketactor-java-ref), JREF_RUN (pid files, logs, ROCKETMQ_HOME and user.home
# of each process; default $JREF_HOME/run), JREF_HEAP (default 1g), JREF_WAIT (seconds to wait for
# the port, default 60), JAVA (default: java on PATH).
set -euo pipefail

VERSION=4.9.7
JREF_HOME=${JREF_HOME:-$HOME/.cache/rocketactor-java-ref}
JREF_RUN=${JREF_RUN:-$JREF_HOME/run}
JREF_HEAP=${JREF_HEAP:-1g}
JREF_WAIT=${JREF_WAIT:-60}
JAVA=${JAVA:-java}
LIB=$JREF_HOME/lib

log() { echo "java-reference: $*" >&2; }
die() {
  log "$*"
  exit 1
}

# The JVM flags every process gets: the heap of this machine's result tables, G1 instead of the
# CMS flags of the released runbroker.sh (JDK 17 has no CMS), and the minimal module openings
# JDK 17 needs for the 4.9.7 store (scripts/java-reference.md says how each was found):
#   java.nio opened + jdk.internal.ref exported: MappedFile.clean (unmapping a commit log or
#     consume queue file on destroy, truncation in recovery, expired-file deletion);
#   sun.nio.ch exported: MappedFile.mlock/munlock (warmMapedFileEnable, transientStorePoolEnable).
jvm_flags() {
  echo "-server -Xms$JREF_HEAP -Xmx$JREF_HEAP -XX:MaxDirectMemorySize=$JREF_HEAP" \
    "-XX:+UseG1GC -XX:-OmitStackTraceInFastThrow" \
    "--add-opens=java.base/java.nio=ALL-UNNAMED" \
    "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED" \
    "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED" \
    "-Djava.net.preferIPv4Stack=true -Dfile.encoding=UTF-8"
}

classpath() {
  [ -d "$LIB" ] && ls "$LIB"/*.jar >/dev/null 2>&1 || die "not installed: run '$0 install' first"
  ls "$LIB"/*.jar | tr '\n' ':' | sed 's/:$//'
}

install() {
  if [ -f "$LIB/rocketmq-broker-$VERSION.jar" ] && [ -f "$LIB/rocketmq-namesrv-$VERSION.jar" ]; then
    log "already installed in $LIB"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  local pomdir=$JREF_HOME/pom
  mkdir -p "$pomdir" "$LIB"
  cat >"$pomdir/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.rocketactor</groupId>
  <artifactId>java-reference</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.rocketmq</groupId><artifactId>rocketmq-broker</artifactId><version>$VERSION</version></dependency>
    <dependency><groupId>org.apache.rocketmq</groupId><artifactId>rocketmq-namesrv</artifactId><version>$VERSION</version></dependency>
  </dependencies>
</project>
EOF
  log "fetching org.apache.rocketmq:rocketmq-broker/namesrv:$VERSION and dependencies into $LIB"
  mvn -B -q -f "$pomdir/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$LIB" -DincludeScope=runtime ||
    die "mvn dependency:copy-dependencies failed"
  [ -f "$LIB/rocketmq-broker-$VERSION.jar" ] || die "rocketmq-broker-$VERSION.jar missing after install"
  log "installed $(ls "$LIB" | wc -l) jars in $LIB"
}

pidfile() { echo "$JREF_RUN/$1/pid"; }

running() { # name
  local pf
  pf=$(pidfile "$1")
  [ -f "$pf" ] && kill -0 "$(cat "$pf")" 2>/dev/null
}

wait_port() { # port pid
  local i
  for i in $(seq 1 $((JREF_WAIT * 10))); do
    kill -0 "$2" 2>/dev/null || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# launch NAME PORT MAINCLASS ARGS...: one JVM in the background, its home, logs and pid file under
# $JREF_RUN/NAME, so nothing lands in ~/ (ROCKETMQ_HOME, user.home and the logback dirs all point
# there).
launch() {
  local name=$1 port=$2 main=$3
  shift 3
  local dir=$JREF_RUN/$name cp
  running "$name" && die "$name is already running (pid $(cat "$(pidfile "$name")"))"
  cp=$(classpath)
  mkdir -p "$dir/home" "$dir/logs"
  # shellcheck disable=SC2046
  (
    cd "$dir"
    ROCKETMQ_HOME=$dir/home exec "$JAVA" $(jvm_flags) \
      -Duser.home="$dir/home" -Drocketmq.home.dir="$dir/home" \
      -cp "$cp" "$main" "$@" >"$dir/stdout.log" 2>&1
  ) &
  local pid=$!
  echo "$pid" >"$dir/pid"
  log "$name: pid $pid, $main, JVM: $(jvm_flags)"
  if ! wait_port "$port" "$pid"; then
    log "$name did not listen on 127.0.0.1:$port; last lines of $dir/stdout.log:"
    tail -20 "$dir/stdout.log" >&2 || true
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$dir/pid"
    exit 1
  fi
  log "$name listening on 127.0.0.1:$port (logs: $dir)"
}

# The logback configs NamesrvStartup and BrokerStartup load from $ROCKETMQ_HOME/conf
# (logback_namesrv.xml, logback_broker.xml), writing to $dir/logs (the released ones write to ~/logs).
write_logback() { # dir
  mkdir -p "$1/home/conf"
  local f
  for f in logback_namesrv.xml logback_broker.xml; do write_logback_file "$1" >"$1/home/conf/$f"; done
}

write_logback_file() { # dir
  cat <<EOF
<configuration>
  <appender name="F" class="ch.qos.logback.core.FileAppender">
    <file>$1/logs/rocketmq.log</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>
  </appender>
  <root level="INFO"><appender-ref ref="F"/></root>
</configuration>
EOF
}

start_namesrv() { # port
  local port=${1:?usage: start-namesrv PORT} name dir
  name=namesrv-$port
  dir=$JREF_RUN/$name
  mkdir -p "$dir"
  write_logback "$dir"
  printf 'listenPort=%s\n' "$port" >"$dir/namesrv.properties"
  launch "$name" "$port" org.apache.rocketmq.namesrv.NamesrvStartup -c "$dir/namesrv.properties"
}

start_broker() { # name key=value...
  local name=${1:?usage: start-broker NAME key=value...} dir kv port=10911
  shift
  dir=$JREF_RUN/$name
  mkdir -p "$dir"
  write_logback "$dir"
  : >"$dir/broker.properties"
  # Loopback defaults first; every key=value given overrides them (the last one of a key wins).
  {
    echo "brokerIP1=127.0.0.1"
    echo "brokerIP2=127.0.0.1"
    echo "storePathRootDir=$dir/store"
  } >>"$dir/broker.properties"
  for kv in "$@"; do
    case $kv in
    *=*) ;;
    *) die "not key=value: $kv" ;;
    esac
    echo "$kv" >>"$dir/broker.properties"
    [ "${kv%%=*}" = listenPort ] && port=${kv#*=}
  done
  launch "$name" "$port" org.apache.rocketmq.broker.BrokerStartup -c "$dir/broker.properties"
}

stop() { # name [signal]
  local name=${1:?usage: stop NAME} sig=${2:-TERM} pf pid i
  pf=$(pidfile "$name")
  [ -f "$pf" ] || die "$name: no pid file $pf (not started by this script?)"
  pid=$(cat "$pf")
  if ! kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) is not running"
    rm -f "$pf"
    return 0
  fi
  kill -s "$sig" "$pid"
  for i in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) still alive after 60 s: SIGKILL"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$pf"
  log "$name (pid $pid) stopped with SIG$sig"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
install) install ;;
start-namesrv) start_namesrv "$@" ;;
start-broker) start_broker "$@" ;;
stop) stop "${1:?usage: stop NAME}" TERM ;;
kill) stop "${1:?usage: kill NAME}" KILL ;;
status) if running "${1:?}"; then echo "running $(cat "$(pidfile "$1")")"; else echo stopped; exit 1; fi ;;
classpath) classpath ;;
jvm-flags) jvm_flags ;;
*) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
