# Sourced by the log benchmarks: `bench_pod NS` creates namespace NS with a running pod
# `bench` (kwok gives it the sandbox's cluster.log as its log) and waits for it. Needs $KUBECTL.
bench_pod() {
  local ns=$1
  echo "==> pod $ns/bench"
  "$KUBECTL" create namespace "$ns" --dry-run=client -o yaml | "$KUBECTL" apply -f - >/dev/null
  "$KUBECTL" -n "$ns" apply -f - >/dev/null <<'YAML'
apiVersion: v1
kind: Pod
metadata: {name: bench, labels: {app: bench}}
spec:
  containers: [{name: app, image: "busybox:1.36", command: [sleep, infinity]}]
YAML
  "$KUBECTL" -n "$ns" wait --for=jsonpath='{.status.phase}'=Running pod/bench --timeout=60s >/dev/null
}
