#!/usr/bin/env bash
# The resource browser in the real app with many pods (issue 5's app figures): idle PSS, click to
# first rows painted, PSS with the whole list open and watched, scroll, and delta latency while
# `churn` patches pods at RATE/s. Prints figures; asserts none.
#
# Usage: tests/bench/app-list.sh [PODS] [RATE] [SECONDS]   (defaults: 10000 pods, 500/s, 30 s)
#   The sandbox must be up (./dev up; LOUPE_SANDBOX_DIR / LOUPE_SANDBOX_PORT select which one)
#   and the app built (./dev build). Scaling takes ~3 minutes; LOUPE_BENCH_KEEP=1 keeps the pods.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SANDBOX="$ROOT/tests/sandbox/sandbox.sh"
pods=${1:-10000}
export LOUPE_BENCH_RATE=${2:-500}
export LOUPE_BENCH_SECONDS=${3:-30}
export LOUPE_CACHE=${LOUPE_CACHE:-$HOME/.cache/loupe}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$LOUPE_CACHE/target}
KUBECTL=${KUBECTL:-/usr/bin/kubectl}

eval "$("$SANDBOX" env)"
export LOUPE_SANDBOX_KUBECONFIG=$KUBECONFIG
export LOUPE_APP=${LOUPE_APP:-$CARGO_TARGET_DIR/debug/loupe-app}
[ -x "$LOUPE_APP" ] || { echo "no app at $LOUPE_APP: run ./dev build"; exit 1; }
echo "app: $LOUPE_APP ($(stat -c %y "$LOUPE_APP" | cut -d. -f1))"

echo "building the churn generator and the bench driver..."
cargo build --release -q -p loupe-core --example churn
cargo build -q -p loupe-e2e --example app_list_bench
export LOUPE_CHURN="$CARGO_TARGET_DIR/release/examples/churn"

cleanup() {
  if [ "${LOUPE_BENCH_KEEP:-0}" != 1 ]; then
    echo "scaling back to 0 (namespaces scale-* are deleted in the background)"
    "$SANDBOX" scale 0 >/dev/null 2>&1 || true
  fi
  "$KUBECTL" --context sandbox-admin delete namespace bench-marks --wait=false >/dev/null 2>&1 || true
}
trap cleanup EXIT

have=$("$KUBECTL" --context sandbox-admin get pods -A -l loupe.dev/scale=true --no-headers 2>/dev/null | grep -c Running || true)
if [ "$have" -lt "$pods" ]; then
  echo "scaling to $pods pods (about 3 minutes)..."
  "$SANDBOX" scale "$pods"
fi
echo "pods in the cluster: $("$KUBECTL" --context sandbox-admin get pods -A --no-headers | wc -l)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
xvfb-run -a -s "-screen 0 1280x800x24" "$CARGO_TARGET_DIR/debug/examples/app_list_bench"
