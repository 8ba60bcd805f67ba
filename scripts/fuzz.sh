#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time and reports findings
# (docs/architecture.md "Fuzzing").
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60 s, every target)
# Works on a stable toolchain (RUSTC_BOOTSTRAP=1, no sanitizer: `-s none`), or on nightly with
# FUZZ_TOOLCHAIN=+nightly. Seeds come from fuzz/corpus/<target>/ (checked in); what the fuzzer
# adds goes to a scratch copy under target/fuzz/run-corpus/, so the checked-in corpus stays small;
# the instrumented build and the logs also live under the repository's target/fuzz/.
# Findings land in fuzz/artifacts/<target>/; the script exits 1 if any target found one.
set -uo pipefail
cd "$(dirname "$0")/../fuzz" || exit 2
secs="${1:-60}"
shift || true
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "cargo-fuzz missing: installing it (cargo install cargo-fuzz)" >&2
    cargo install cargo-fuzz || exit 2
fi
toolchain="${FUZZ_TOOLCHAIN:-}"
san=(-s none)
if [ -z "$toolchain" ]; then
    export RUSTC_BOOTSTRAP=1
fi
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo $toolchain fuzz list)
fi
work=../target/fuzz
failed=()
for t in "${targets[@]}"; do
    run="$work/run-corpus/$t"
    mkdir -p "$run" "artifacts/$t"
    if [ -d "corpus/$t" ]; then
        cp -n corpus/"$t"/* "$run"/ 2>/dev/null || true
    fi
    before=$(find "artifacts/$t" -type f | wc -l)
    echo "== $t: ${secs}s"
    cargo $toolchain fuzz run "${san[@]}" --target-dir "$work" "$t" "$run" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        2>"$work/$t.log"
    rc=$?
    grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$work/$t.log" || true
    after=$(find "artifacts/$t" -type f | wc -l)
    if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
        echo "!! $t: finding (exit $rc); see target/fuzz/$t.log and fuzz/artifacts/$t/"
        grep -E "panicked|ERROR|SUMMARY" "$work/$t.log" | head -5
        failed+=("$t")
    else
        echo "ok $t: no findings"
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "findings in: ${failed[*]}"
    exit 1
fi
echo "all ${#targets[@]} targets ran ${secs}s without findings"
