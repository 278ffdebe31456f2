#!/usr/bin/env bash
# RBAC benchmark: the full access matrix of one identity across every sandbox namespace, three
# ways in one run (Loupe's rules reviews, kubectl auth can-i --list per namespace, one access
# review per cell as rakkess does). Needs a running sandbox (tests/sandbox/sandbox.sh up).
#
#   tests/bench/rbac.sh [CONTEXT]      # default sandbox-editor-b
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export LOUPE_CACHE=${LOUPE_CACHE:-$HOME/.cache/loupe}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$LOUPE_CACHE/target}
if [ -z "${LOUPE_SANDBOX_KUBECONFIG:-}" ]; then
  LOUPE_SANDBOX_KUBECONFIG=$("$ROOT/tests/sandbox/sandbox.sh" env | sed -n 's/^export KUBECONFIG=//p' | tr -d "'\"")
fi
export LOUPE_SANDBOX_KUBECONFIG LOUPE_BENCH=1 LOUPE_BENCH_CONTEXT=${1:-sandbox-editor-b}
cd "$ROOT"
cargo test -q -p loupe-cli --test auth_bench -- --include-ignored --nocapture 2>&1 |
  grep -v '^running\|^test \|^$\|test result\|^\.$'
