# Sourced by scripts/bench-vs-reference.sh: the result table (one column per implementation that
# ran, then the ratios of ours to each reference) and the targets of BENCHMARKS.md.

get() { # impl key -> the recorded value (fields 3.. of the last matching line, tab-separated)
  awk -F'\t' -v i="$1" -v k="$2" '$1 == i && $2 == k {
    v = $3; for (j = 4; j <= NF; j++) v = v "\t" $j } END { print v }' "$RESULTS"
}

THROUGHPUT_ROWS=(
  "async_if1|ASYNC_FLUSH, 1 in flight"
  "async_if16|ASYNC_FLUSH, 16 in flight"
  "async_if64|ASYNC_FLUSH, 64 in flight"
  "async_half|ASYNC_FLUSH, 64 in flight, paced at half that"
  "async_b16|ASYNC_FLUSH, batch 16 x 16 in flight"
  "jclient_if64|Java client, 64 threads, ASYNC_FLUSH"
  "sync_if1|SYNC_FLUSH, 1 in flight"
  "sync_if16|SYNC_FLUSH, 16 in flight"
  "sync_if64|SYNC_FLUSH, 64 in flight"
  "sync_b16|SYNC_FLUSH, batch 16 x 16 in flight"
  "async_master_if64|ASYNC_MASTER + slave, 64 in flight"
  "sync_master_if64|SYNC_MASTER + slave, 64 in flight"
  "fill_1m|fill 1M (batch 16 x 16 in flight)"
  "consume_1m|consume 1M stored"
)

PLAIN_ROWS=(
  "startup_ms|start-up to first send (ms)"
  "rss_anon_idle|RssAnon idle (MiB)"
  "rss_anon_after_fill|RssAnon after 1M messages (MiB)"
  "rss_anon_after_run|RssAnon after the run (MiB)"
  "rss_idle|RSS idle (MiB)"
  "rss_after_fill|RSS after 1M messages (MiB)"
  "rss_after_run|RSS after the run (MiB)"
  "heap_idle|JVM heap used idle (MiB)"
  "heap_after_fill|JVM heap used after 1M messages (MiB)"
)

print_table() { # impls that ran (ours first)
  local impls=("$@") i r key label v line refs=()
  for i in "${impls[@]}"; do [ "$i" != ours ] && refs+=("$i"); done
  echo
  echo "1 KiB messages; msgs/s (p99 latency in ms); ratio = rocketactor / that column"
  line=$(printf '%-46s' workload)
  for i in "${impls[@]}"; do line+=$(printf ' %-22s' "$(impl_label "$i")"); done
  for i in "${refs[@]}"; do line+=$(printf ' %-11s' "vs $i"); done
  echo "$line"
  for r in "${THROUGHPUT_ROWS[@]}"; do
    key=${r%%|*}
    label=${r#*|}
    line=$(printf '%-46s' "$label")
    for i in "${impls[@]}"; do line+=$(printf ' %-22s' "$(fmt "$(get "$i" "$key")")"); done
    for i in "${refs[@]}"; do line+=$(printf ' %-11s' "$(ratio "$(get ours "$key")" "$(get "$i" "$key")")"); done
    echo "$line"
  done
  for r in "${PLAIN_ROWS[@]}"; do
    key=${r%%|*}
    label=${r#*|}
    line=$(printf '%-46s' "$label")
    local vals=()
    for i in "${impls[@]}"; do
      v=$(get "$i" "$key")
      case $key in rss* | heap*) v=$(kib_mib "$v") ;; esac
      vals+=("${v:-n/a}")
      line+=$(printf ' %-22s' "${v:-n/a}")
    done
    local k=1
    for i in "${refs[@]}"; do
      line+=$(printf ' %-11s' "$(plain_ratio "${vals[0]}" "${vals[$k]}")")
      k=$((k + 1))
    done
    echo "$line"
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
  local a64 s64 am sm c anon st half behind=""
  a64=$(get ours async_if64 | cut -f1)
  s64=$(get ours sync_if64 | cut -f1)
  am=$(get ours async_master_if64 | cut -f1)
  sm=$(get ours sync_master_if64 | cut -f1)
  c=$(get ours consume_1m | cut -f1)
  anon=$(get ours rss_anon_after_fill)
  st=$(get ours startup_ms)
  half=$(get ours async_half | cut -f3)
  # Rows where the Java broker is ahead of us (throughput rows only).
  local r key o j
  for r in "${THROUGHPUT_ROWS[@]}"; do
    key=${r%%|*}
    o=$(get ours "$key" | cut -f1)
    j=$(get java "$key" | cut -f1)
    case "$o$j" in "" | *failed*) continue ;; esac
    [ -n "$o" ] && [ -n "$j" ] && [ "$o" -lt "$j" ] && behind+="${key} "
  done
  echo
  echo "Targets (rocketactor):"
  awk -v a="$a64" -v s="$s64" -v am="$am" -v sm="$sm" -v c="$c" -v anon="$anon" -v st="$st" \
    -v h="$half" -v behind="$behind" -v havej="$(get java async_if64)" \
    'function row(name, ok, got) { printf "  %-56s %-7s %s\n", name, ok ? "met" : "MISSED", got }
    BEGIN {
      row("ASYNC_FLUSH, 64 in flight >= 110,000 msgs/s", a >= 110000, a " msgs/s")
      if (a > 0) row("SYNC_FLUSH >= 60% of ASYNC_FLUSH (64 in flight)", s >= 0.6 * a, sprintf("%.0f%%", 100 * s / a))
      if (am > 0) row("SYNC_MASTER >= 70% of ASYNC_MASTER (with a slave)", sm >= 0.7 * am, sprintf("%.0f%%", 100 * sm / am))
      if (h != "") row("p99 < 2 ms at half the peak rate (64 in flight)", h < 2000, sprintf("%.2f ms", h / 1000))
      row("consume >= 800,000 msgs/s", c >= 800000, c " msgs/s")
      row("RssAnon < 64 MiB after 1M messages", anon > 0 && anon < 65536, sprintf("%.1f MiB", anon / 1024))
      row("start-up to first send < 150 ms", st != "" && st < 150, st " ms")
      if (havej != "") row("ahead of Java 4.9.7 on every throughput row", behind == "", behind == "" ? "yes" : "behind on: " behind)
    }'
}
