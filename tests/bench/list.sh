#!/usr/bin/env bash
# Listing 10,000 pods: `loupe get` vs `kubectl get` (table and -o json), and the core alone
# (Table rows, full objects, watch snapshot), against a running sandbox.
#
# Usage: tests/bench/list.sh [RUNS] [PODS]     (defaults: 5 runs, 10000 pods)
#   The sandbox must be up (tests/sandbox/sandbox.sh up; LOUPE_SANDBOX_DIR / LOUPE_SANDBOX_PORT
#   select which one). Scaling takes ~3 minutes and ~2 GB of RAM; the pods are removed at the
#   end (LOUPE_BENCH_KEEP=1 keeps them).
# Prints medians of RUNS wall times (ms) and peak RSS side by side; kubectl's default pages of
# 500 (as loupe's) and unpaged (`--chunk-size=0`, both tools). kubectl keeps its discovery cache in
# ~/.kube/cache (warm after the first run); loupe has no cache and does its 2 aggregated
# discovery requests every time.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SANDBOX="$ROOT/tests/sandbox/sandbox.sh"
runs=${1:-5}
pods=${2:-10000}
export LOUPE_CACHE=${LOUPE_CACHE:-$HOME/.cache/loupe}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$LOUPE_CACHE/target}
KUBECTL=${KUBECTL:-/usr/bin/kubectl}

eval "$("$SANDBOX" env)"
CONTEXT=sandbox-admin
echo "sandbox: $LOUPE_SANDBOX_SERVER  kubeconfig: $KUBECONFIG  kubectl: $("$KUBECTL" version --client 2>/dev/null | head -1)"

echo "building release binaries..."
cargo build --release -q -p loupe-cli --bin loupe
cargo build --release -q -p loupe-core --example list_bench
LOUPE="$CARGO_TARGET_DIR/release/loupe"
CORE="$CARGO_TARGET_DIR/release/examples/list_bench"

cleanup() {
  if [ "${LOUPE_BENCH_KEEP:-0}" != 1 ]; then
    echo "scaling back to 0 (namespaces scale-* are deleted in the background)"
    "$SANDBOX" scale 0 >/dev/null 2>&1 || true
  fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"; cleanup' EXIT

have=$("$KUBECTL" --context $CONTEXT get pods -A -l loupe.dev/scale=true --no-headers 2>/dev/null | grep -c Running || true)
if [ "$have" -lt "$pods" ]; then
  echo "scaling to $pods pods (about 3 minutes)..."
  "$SANDBOX" scale "$pods"
fi
total=$("$KUBECTL" --context $CONTEXT get pods -A --no-headers | wc -l)
echo "pods in the cluster: $total"

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# measure CMD...: runs CMD $runs times (stdout to a file); prints "median-ms peak-rss-MB" (the
# peak RSS is the largest of the runs, from GNU time).
measure() {
  local t0 times=() rss=0 r
  for _ in $(seq 1 "$runs"); do
    t0=$(now_ms)
    /usr/bin/time -f %M -o "$work/rss" "$@" >"$work/out" 2>"$work/err"
    times+=($(( $(now_ms) - t0 )))
    r=$(tail -1 "$work/rss"); [ "$r" -gt "$rss" ] && rss=$r
  done
  echo "$(printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }') $((rss / 1024))"
}

row() { # LABEL KUBECTL_RESULT LOUPE_RESULT
  local km kr lm lr
  read -r km kr <<<"$2"; read -r lm lr <<<"$3"
  printf '%-34s %9s %9s %7s %10s %10s\n' "$1" "$km" "$lm" "$(awk -v a="$lm" -v b="$km" 'BEGIN { printf "%.2f", a / b }')" "$kr" "$lr"
}

# Same output? (line counts; AGE cells may tick between the two runs)
"$KUBECTL" --context $CONTEXT get pods -A >"$work/k.txt"
"$LOUPE" --context $CONTEXT get pods -A >"$work/l.txt"
echo "lines: kubectl $(wc -l <"$work/k.txt"), loupe $(wc -l <"$work/l.txt")"
"$KUBECTL" --context $CONTEXT get pods -A -o json >"$work/k.json"
"$LOUPE" --context $CONTEXT get pods -A -o json >"$work/l.json"
echo "-o json bytes: kubectl $(wc -c <"$work/k.json"), loupe $(wc -c <"$work/l.json")"

K=("$KUBECTL" --context $CONTEXT get pods -A)
L=("$LOUPE" --context $CONTEXT get pods -A)
k_table=$(measure "${K[@]}"); l_table=$(measure "${L[@]}")
k_json=$(measure "${K[@]}" -o json); l_json=$(measure "${L[@]}" -o json)
k_table0=$(measure "${K[@]}" --chunk-size=0); l_table0=$(measure "${L[@]}" --chunk-size=0)
k_json0=$(measure "${K[@]}" -o json --chunk-size=0); l_json0=$(measure "${L[@]}" -o json --chunk-size=0)

echo
echo "median of $runs runs, wall time in ms; peak RSS in MB (largest run); $total pods; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %9s %9s %7s %10s %10s\n' "command" "kubectl" "loupe" "ratio" "kubectl-MB" "loupe-MB"
row "get pods -A" "$k_table" "$l_table"
row "get pods -A -o json" "$k_json" "$l_json"
row "get pods -A --chunk-size=0" "$k_table0" "$l_table0"
row "get pods -A -o json --chunk-size=0" "$k_json0" "$l_json0"

echo
echo "core alone (list_bench, in-process, connection and discovery excluded), median of $runs:"
printf '%-28s %10s %10s %8s\n' "measure" "median-ms" "min-ms" "rows"
"$CORE" "$KUBECONFIG" $CONTEXT pods "$runs" | while read -r name med min count; do
  case $name in
    table) label="list_table (Table rows)" ;;
    objects) label="list_objects (full objects)" ;;
    table-unpaged) label="list_table, one request" ;;
    objects-unpaged) label="list_objects, one request" ;;
    watch-first-rows) label="watch: first rows" ;;
    watch-synced) label="watch: snapshot complete" ;;
    *) label=$name ;;
  esac
  printf '%-28s %10s %10s %8s\n' "$label" "$med" "$min" "$count"
done
