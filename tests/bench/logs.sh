#!/usr/bin/env bash
# Log throughput: `loupe logs` vs `kubectl logs` on a 1,000,000-line pod log, plus the core's
# own figure (splitter + view + batches + ring buffer, no cluster).
#
#   tests/bench/logs.sh            needs a running sandbox (tests/sandbox/sandbox.sh up; the
#                                  same LOUPE_SANDBOX_DIR / LOUPE_SANDBOX_PORT as it)
#   LINES=200000 RUNS=5 tests/bench/logs.sh
#
# kwok's log files are fixed when the sandbox starts, so the bench pod (namespace loupe-bench)
# reads cluster.log, like every pod outside default/team-a/team-b: the script appends the lines
# to cluster.log and cuts it back to its old size when done (do not run tests meanwhile).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export LOUPE_CACHE=${LOUPE_CACHE:-$HOME/.cache/loupe}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$LOUPE_CACHE/target}
KUBECTL=${KUBECTL:-/usr/bin/kubectl}
LINES=${LINES:-1000000}
RUNS=${RUNS:-3}
NS=loupe-bench

eval "$("$ROOT/tests/sandbox/sandbox.sh" env)"
LOG="$LOUPE_SANDBOX_DIR/logs/cluster.log"
TIMES=$(mktemp)

echo "==> building (release)"
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cargo build --release -q -p loupe-cli
cargo build --release -q -p loupe-core --example logs_throughput
LOUPE="$CARGO_TARGET_DIR/release/loupe"

# shellcheck source=tests/bench/bench-pod.sh
. "$ROOT/tests/bench/bench-pod.sh"
bench_pod "$NS"

size=$(stat -c %s "$LOG")
restore() { truncate -s "$size" "$LOG"; rm -f "$TIMES"; "$KUBECTL" delete namespace "$NS" --wait=false >/dev/null 2>&1 || true; }
trap restore EXIT
echo "==> appending $LINES lines to $LOG"
awk -v n="$LINES" 'BEGIN {
  for (i = 0; i < n; i++) {
    s = int(i / 1000)
    printf "2026-01-01T%02d:%02d:%02d.%09dZ stdout F bench line %d lorem ipsum dolor sit amet, consectetur adipiscing\n",
      int(s / 3600), int(s / 60) % 60, s % 60, (i % 1000) * 1000000, i
  }
}' >> "$LOG"
echo "    log now $(( $(stat -c %s "$LOG") / 1000000 )) MB"

measure() { # measure FORMAT CMD...: GNU time's FORMAT for CMD, its output to /dev/null
  local f=$1
  shift
  /usr/bin/time -f "$f" -o "$TIMES" "$@" >/dev/null 2>/dev/null
  tail -1 "$TIMES"
}
best() { # best NAME CMD...: best wall time of RUNS runs
  local name=$1 t b=""
  shift
  for _ in $(seq "$RUNS"); do
    t=$(measure %e "$@")
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
  done
  printf '%-34s best of %s: %6.2f s  (%.0f lines/s)\n' "$name" "$RUNS" "$b" "$(echo "$LINES / $b" | bc -l)"
}

echo "==> same output?"
k=$("$KUBECTL" logs -n "$NS" bench | md5sum)
l=$("$LOUPE" logs -n "$NS" bench | md5sum)
[ "$k" = "$l" ] && echo "    yes ($k)" || { echo "    NO: kubectl $k, loupe $l"; exit 1; }

echo "==> timings (stdout to /dev/null)"
best "kubectl logs" "$KUBECTL" logs -n "$NS" bench
best "loupe logs" "$LOUPE" logs -n "$NS" bench
best "kubectl logs --timestamps" "$KUBECTL" logs -n "$NS" bench --timestamps
best "loupe logs --timestamps" "$LOUPE" logs -n "$NS" bench --timestamps
echo "==> peak RSS (KB)"
printf '    kubectl %s, loupe %s\n' "$(measure %M "$KUBECTL" logs -n "$NS" bench)" \
  "$(measure %M "$LOUPE" logs -n "$NS" bench)"

echo "==> core only (no cluster): splitter + view + batches + model + LogBuffer"
"$CARGO_TARGET_DIR/release/examples/logs_throughput" "$LINES"
