#!/usr/bin/env bash
# Every test of the project, in one command (the README's test command; .ci/run calls it):
#   1. `cargo test --workspace --all-targets`: unit, integration, process and NAT tests, and the
#      Rust interop suite (crates.io rocketmq-client-rust 1.0.0, interop/);
#   2. the release binary (`cargo build --release --bin rocketactor`), which the two suites of the
#      ecosystem's own clients start as real processes;
#   3. interop/java: the Java client 4.9.7, mqadmin (rocketmq-tools 4.9.7) — `mvn test`;
#   4. interop/go: rocketmq-client-go/v2 — `go test`;
#   4b. dashboard/tests/e2e.mjs: the web dashboard in headless Chromium (`npm ci` first);
#   5. scripts/compat-matrix.py: docs/compatibility.md from the results of 1, 3 and 4.
# Each step's output is kept under target/test-logs/. Every step runs even when an earlier one
# failed (so the matrix shows everything); the exit code is non-zero when any step failed. The last
# line sums the test counts of all runners: `all: N passed, N failed, N skipped`.
#
# Environment: ONLY=rust|java|go|web (run one suite; the matrix is still written), MVN_ARGS (extra
# arguments for Maven, e.g. -Dtest='Producer*'), GO_TEST_ARGS (e.g. -run TestProducer).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOGS=$ROOT/target/test-logs
mkdir -p "$LOGS"
ONLY=${ONLY:-}
failed=()

step() { echo; echo "==> $*"; }
want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

if want rust; then
  step "cargo test --workspace --all-targets"
  (cd "$ROOT" && cargo test --workspace --all-targets 2>&1) | tee "$LOGS/cargo-test.log"
  [ "${PIPESTATUS[0]}" = 0 ] || failed+=("cargo test")
fi

if want java || want go || want web; then
  step "cargo build --release --bin rocketactor"
  (cd "$ROOT" && cargo build --release --bin rocketactor 2>&1) | tee "$LOGS/cargo-build-release.log"
  [ "${PIPESTATUS[0]}" = 0 ] || failed+=("release build")
fi
BIN=$ROOT/target/release/rocketactor

if want java; then
  step "interop/java: mvn test (Java client, mqadmin 4.9.7)"
  rm -rf "$ROOT/interop/java/target/surefire-reports"
  # shellcheck disable=SC2086
  (cd "$ROOT/interop/java" && mvn -B -ntp test -Drocketactor.bin="$BIN" ${MVN_ARGS:-} 2>&1) | tee "$LOGS/mvn-test.log"
  [ "${PIPESTATUS[0]}" = 0 ] || failed+=("interop/java")
fi

if want go; then
  step "interop/go: go test (rocketmq-client-go/v2)"
  # go test -json for the matrix; the readable form is printed from it.
  # shellcheck disable=SC2086
  (cd "$ROOT/interop/go" && ROCKETACTOR_BIN="$BIN" go test -count=1 -json ${GO_TEST_ARGS:-} ./... 2>&1) >"$LOGS/go-test.json"
  go_rc=$?
  python3 "$ROOT/scripts/compat-matrix.py" --print-go "$LOGS/go-test.json"
  [ "$go_rc" = 0 ] || failed+=("interop/go")
fi

if want web; then
  step "dashboard: headless Chromium end-to-end test (playwright-core)"
  rm -f "$LOGS/web-test.log"
  (cd "$ROOT/dashboard" && npm ci --no-audit --no-fund 2>&1 && ROCKETACTOR_BIN="$BIN" node tests/e2e.mjs 2>&1) | tee "$LOGS/web-test.log"
  [ "${PIPESTATUS[0]}" = 0 ] || failed+=("dashboard web")
fi

step "scripts/compat-matrix.py -> docs/compatibility.md"
python3 "$ROOT/scripts/compat-matrix.py" \
  --cargo-log "$LOGS/cargo-test.log" \
  --surefire "$ROOT/interop/java/target/surefire-reports" \
  --go-json "$LOGS/go-test.json" \
  --out "$ROOT/docs/compatibility.md" || failed+=("compat matrix")

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED steps: ${failed[*]}"
fi
python3 "$ROOT/scripts/compat-matrix.py" --totals \
  --cargo-log "$LOGS/cargo-test.log" \
  --surefire "$ROOT/interop/java/target/surefire-reports" \
  --go-json "$LOGS/go-test.json" \
  --web-log "$LOGS/web-test.log"
[ ${#failed[@]} -eq 0 ]
