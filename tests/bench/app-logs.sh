#!/usr/bin/env bash
# The app's log view under load, measured in the real app through WebDriver (prints figures,
# asserts no timings):
#   (a) memory: PSS summed over the app's processes (loupe-app, WebKitWebProcess,
#       WebKitNetworkProcess) at idle, then sampled while 1,000,000 lines stream into an open
#       log view and after (flat once the 100,000-line ring is full?), and with a smaller ring;
#   (b) a follow at 50,000 lines/s appended to the pod's kwok log file: lines/s reaching the UI;
#   (c) while following: time for a scroll and for a search to show.
#
#   tests/bench/app-logs.sh         needs a running sandbox (tests/sandbox/sandbox.sh up, the same
#                                   LOUPE_SANDBOX_DIR / LOUPE_SANDBOX_PORT), the built UI and app
#   LINES=200000 RATE=20000 FOLLOW_SECS=5 APP=path/to/loupe-app tests/bench/app-logs.sh
#
# The pod loupe-bench/bench reads kwok's cluster.log (as every pod outside default/team-a/team-b):
# the script appends the lines to it and cuts it back to its old size when done (do not run
# tests meanwhile). APP defaults to the release build if there is one, else the debug build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export LOUPE_CACHE=${LOUPE_CACHE:-$HOME/.cache/loupe}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$LOUPE_CACHE/target}
export PATH="$HOME/.cargo/bin:$PATH"
KUBECTL=${KUBECTL:-/usr/bin/kubectl}
LINES=${LINES:-1000000}
RATE=${RATE:-50000}
FOLLOW_SECS=${FOLLOW_SECS:-10}
NS=loupe-bench
if [ -z "${APP:-}" ]; then
  APP=$CARGO_TARGET_DIR/release/loupe-app
  [ -x "$APP" ] || APP=$CARGO_TARGET_DIR/debug/loupe-app
fi
[ -x "$APP" ] || { echo "no app binary at $APP: run ./dev build" >&2; exit 1; }

eval "$("$ROOT/tests/sandbox/sandbox.sh" env)"
LOG="$LOUPE_SANDBOX_DIR/logs/cluster.log"

# shellcheck source=tests/bench/bench-pod.sh
. "$ROOT/tests/bench/bench-pod.sh"
bench_pod "$NS"

size=$(stat -c %s "$LOG")
restore() { truncate -s "$size" "$LOG"; "$KUBECTL" delete namespace "$NS" --wait=false >/dev/null 2>&1 || true; }
trap restore EXIT
echo "==> appending $LINES lines to $LOG"
awk -v n="$LINES" 'BEGIN {
  for (i = 0; i < n; i++) {
    s = int(i / 1000)
    printf "2026-01-01T%02d:%02d:%02d.%09dZ stdout F bench line %d lorem ipsum dolor sit amet, consectetur adipiscing\n",
      int(s / 3600), int(s / 60) % 60, s % 60, (i % 1000) * 1000000, i
  }
}' >> "$LOG"
total=$(wc -l < "$LOG")
echo "    log now $(( $(stat -c %s "$LOG") / 1000000 )) MB, $total lines"

echo "==> the app ($APP) under Xvfb, driven by tests/e2e/examples/app_logs_bench.rs"
cd "$ROOT"
LOUPE_SANDBOX_KUBECONFIG=$KUBECONFIG LOUPE_APP=$APP LOUPE_BENCH_LOG=$LOG \
  LOUPE_BENCH_LINES=$total LOUPE_BENCH_RATE=$RATE LOUPE_BENCH_FOLLOW_SECS=$FOLLOW_SECS \
  LOUPE_SCREENSHOT_DIR=${LOUPE_SCREENSHOT_DIR:-$(mktemp -d)} \
  xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo run -q -p loupe-e2e --example app_logs_bench
