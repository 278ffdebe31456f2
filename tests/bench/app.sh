#!/usr/bin/env bash
# Benchmarks the real app: time from launch to the first painted context list, and memory when
# idle (RSS and PSS summed over the app, WebKitWebProcess and WebKitNetworkProcess).
# Usage: tests/bench/app.sh APP_BINARY [RUNS]   (KUBECONFIG from the environment, else a fixture)
set -euo pipefail
app=${1:?usage: app.sh APP_BINARY [RUNS]}
runs=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "${KUBECONFIG:-}" ]; then
  for i in 1 2; do
    {
      echo "apiVersion: v1"; echo "kind: Config"; echo "current-context: ctx-$i-0"
      echo "clusters:"; echo "- name: c$i"; echo "  cluster: {server: 'https://127.0.0.1:1644$i'}"
      echo "users:"; echo "- name: u$i"; echo "  user: {token: bench}"
      echo "contexts:"
      for j in $(seq 0 24); do echo "- name: ctx-$i-$j"; echo "  context: {cluster: c$i, user: u$i}"; done
    } > "$work/k$i.yaml"
  done
  export KUBECONFIG="$work/k1.yaml:$work/k2.yaml"
fi

descendants() { # PID and all its descendants
  local p=$1
  echo "$p"
  for c in $(pgrep -P "$p" || true); do descendants "$c"; done
}

mem_kb() { # FIELD (Rss|Pss) summed over the app's process tree, in kB
  local total=0 v
  for p in $(descendants "$1"); do
    v=$(awk -v f="$2:" '$1 == f { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

echo "kubeconfig: $KUBECONFIG"
printf '%-5s %-16s %-10s %-10s %s\n' run first-paint-ms rss-MB pss-MB processes
for r in $(seq 1 "$runs"); do
  log="$work/run$r.log"
  LOUPE_LOG=loupe=info xvfb-run -a -s "-screen 0 1280x800x24" "$app" >"$log" 2>&1 &
  xpid=$!
  ms=""
  for _ in $(seq 1 300); do
    ms=$(sed -n 's/.*first context list painted \([0-9]*\) ms.*/\1/p' "$log")
    [ -n "$ms" ] && break
    sleep 0.1
  done
  apid=$(pgrep -f -n "^$app" || true)
  sleep 5 # idle
  if [ -n "$apid" ]; then
    procs=$(descendants "$apid" | xargs -n1 -I{} cat /proc/{}/comm 2>/dev/null | sort | uniq -c | awk '{printf "%s%sx%s", sep, $1, $2; sep=","}')
    rss=$(mem_kb "$apid" Rss); pss=$(mem_kb "$apid" Pss)
    printf '%-5s %-16s %-10s %-10s %s\n' "$r" "${ms:-none}" "$((rss / 1024))" "$((pss / 1024))" "$procs"
    kill "$apid" 2>/dev/null || true
  else
    echo "run $r: the app did not start"; cat "$log"
  fi
  wait "$xpid" 2>/dev/null || true
done
