#!/usr/bin/env bash
# Tests of the sandbox cluster itself (run `tests/sandbox/sandbox.sh up` first), using the real
# kubectl. Prints `ok - name` / `not ok - name` per check and ends with
# `sandbox: N passed, M failed`; exits non-zero when anything failed.
set -euo pipefail

SANDBOX_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOUPE_CACHE="${LOUPE_CACHE:-$HOME/.cache/loupe}"
STATE="${LOUPE_SANDBOX_DIR:-$LOUPE_CACHE/sandbox}"
API_PORT="${LOUPE_SANDBOX_PORT:-16443}"
WRONG_PORT=$((API_PORT + 9))
KUBECTL="${KUBECTL:-/usr/bin/kubectl}"
KCFG="$STATE/kubeconfigs"
LOGS="$STATE/logs"
MERGED="$KCFG/sandbox.yaml"

PASSED=0
FAILED=0
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
nok() {
  FAILED=$((FAILED + 1)); echo "not ok - $1"
  if [[ -n "${2:-}" ]]; then printf '%s\n' "$2" | head -n 15 | sed 's/^/#   /'; fi
}
# check <name> <cmd...>: passes when the command succeeds; output shown on failure.
check() {
  local name="$1"; shift
  local out
  if out="$("$@" 2>&1)"; then ok "$name"; else nok "$name" "$out"; fi
}
# check_not <name> <cmd...>: passes when the command fails.
check_not() {
  local name="$1"; shift
  local out
  if out="$("$@" 2>&1)"; then nok "$name" "unexpectedly succeeded: $out"; else ok "$name"; fi
}
# retry <seconds> <cmd...>
retry() {
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    (( $(date +%s) < deadline )) || return 1
    sleep 1
  done
}
k() { "$KUBECTL" --kubeconfig="$KCFG/admin.yaml" "$@"; }
kas() { local who="$1"; shift; "$KUBECTL" --kubeconfig="$KCFG/$who.yaml" "$@"; }
# can <who> <expect yes|no> <can-i args...>
can() {
  local who="$1" want="$2"; shift 2
  local got
  got="$(kas "$who" auth can-i "$@" 2>/dev/null || true)"
  [[ "$got" == "$want" ]] || { echo "kubectl auth can-i $* as $who: got '$got', want '$want'"; return 1; }
}
strip_cri() { sed -E 's/^[^ ]+ (stdout|stderr) [FP] //' "$1"; }
contains() { # <haystack-cmd-output> <needle>
  grep -qF -- "$2" <<<"$1" || { echo "output does not contain '$2':"; echo "$1"; return 1; }
}

if ! curl -sf --cacert "$STATE/pki/ca.crt" "https://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1; then
  nok "sandbox is running (https://127.0.0.1:$API_PORT/readyz)" "run: $SANDBOX_SRC/sandbox.sh up"
  echo "sandbox: $PASSED passed, $FAILED failed"
  exit 1
fi
ok "apiserver /readyz"

# --- version, nodes, workloads -------------------------------------------------------------------
t_version() {
  local v
  v="$(curl -sf --cacert "$STATE/pki/ca.crt" "https://127.0.0.1:$API_PORT/version" | jq -r .gitVersion)"
  [[ "$v" == v1.34.4 ]] || { echo "gitVersion=$v"; return 1; }
}
check "/version reports v1.34.4" t_version

t_nodes() {
  local n
  n="$(k get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$')"
  [[ "$n" == 3 ]] || { k get nodes; return 1; }
}
check "3 kwok nodes Ready" t_nodes

running_pods() { # ns selector want
  local n
  n="$(k -n "$1" get pods -l "$2" --field-selector=status.phase=Running -o name | wc -l)"
  [[ "$n" == "$3" ]] || { echo "running pods in $1 ($2): $n, want $3"; k -n "$1" get pods -l "$2" -o wide; return 1; }
}
check "team-a/web: 3 pods Running" retry 60 running_pods team-a app=web 3
check "team-b/api: 2 pods Running" retry 60 running_pods team-b app=api 2
check "team-b/db StatefulSet: 2 pods Running" retry 60 running_pods team-b app=db 2
t_job() { [[ "$(k -n team-b get job migrate -o jsonpath='{.status.succeeded}')" == 1 ]]; }
check "team-b/migrate Job succeeded" retry 60 t_job
check "team-b/report CronJob exists" k -n team-b get cronjob report
t_stuck() {
  [[ "$(k -n team-a get pod stuck -o jsonpath='{.status.phase}/{.status.conditions[?(@.type=="PodScheduled")].reason}')" == Pending/Unschedulable ]]
}
check "team-a/stuck is Pending (Unschedulable)" retry 30 t_stuck
t_crashy() {
  local s
  s="$(k -n team-a get pod crashy -o jsonpath='{.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].state.waiting.reason}{.status.containerStatuses[0].state.running.startedAt}')"
  [[ "${s%% *}" -ge 1 ]] || { echo "crashy: $s"; return 1; }
}
check "team-a/crashy restarts (restartCount >= 1)" retry 30 t_crashy
t_crashy_backoff() {
  [[ "$(k -n team-a get pod crashy -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}')" == CrashLoopBackOff ]]
}
check "team-a/crashy shows CrashLoopBackOff" retry 60 t_crashy_backoff
check "team-a/crashy has BackOff events" retry 30 bash -c \
  "'$KUBECTL' --kubeconfig='$KCFG/admin.yaml' -n team-a get events --field-selector=involvedObject.name=crashy,reason=BackOff -o name | grep -q ."
t_pvc() { [[ "$(k -n team-b get pvc data -o jsonpath='{.status.phase}')" == Pending ]]; }
check "team-b/data PVC Pending" t_pvc
t_widgets() {
  local out
  out="$(k get widgets -A)"
  contains "$out" COLOR && contains "$out" PHASE && [[ "$(grep -c -E 'alpha|beta|gamma' <<<"$out")" == 3 ]]
}
check "CRD widgets: 3 objects, printer columns" t_widgets
t_events() { k -n team-a get events -o jsonpath='{.items[*].reason}' | grep -qw Reconciled; }
check "hand-made Events present" t_events
check "ingress, services, configmaps, secrets" k -n team-a get ingress/web service/web configmap/app-settings secret/web-credentials
t_view_agg() { [[ "$(k get clusterrole view -o jsonpath='{.rules[*].verbs}' | wc -w)" -gt 0 ]]; }
check "aggregated ClusterRole view has rules" t_view_agg

# --- logs ----------------------------------------------------------------------------------------
t_logs_file() {
  local got want
  got="$(k -n default logs logger -c app)"
  want="$(strip_cri "$LOGS/logger-app.log")"
  [[ "$got" == "$want" ]] || { echo "got:"; echo "$got"; echo "want:"; echo "$want"; return 1; }
}
check "kubectl logs default/logger -c app returns logs/logger-app.log" t_logs_file
t_logs_append() {
  local line="appended-$RANDOM-$$"
  printf '%s stdout F %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" "$line" >> "$LOGS/logger-app.log"
  contains "$(k -n default logs logger -c app --tail=1)" "$line"
}
check "kubectl logs reflects appended lines" t_logs_append
t_logs_follow() {
  local line="followed-$RANDOM-$$"
  timeout 8 "$KUBECTL" --kubeconfig="$KCFG/admin.yaml" -n default logs -f logger -c sidecar > "$TMP/follow.out" 2>&1 &
  local pid=$!
  sleep 2
  "$SANDBOX_SRC/sandbox.sh" append-log logger-sidecar.log "$line"
  sleep 2
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  contains "$(cat "$TMP/follow.out")" "$line"
}
check "kubectl logs -f follows appended lines" t_logs_follow
check "kubectl logs deploy/web (ClusterLogs team-a)" bash -c \
  "'$KUBECTL' --kubeconfig='$KCFG/admin.yaml' -n team-a logs deploy/web | grep -q 'GET / HTTP/1.1'"
check "kubectl logs --previous team-a/crashy" bash -c \
  "'$KUBECTL' --kubeconfig='$KCFG/admin.yaml' -n team-a logs crashy --previous | grep -q 'panic: runtime error'"
check "kubectl logs team-a/crashy (current)" bash -c \
  "'$KUBECTL' --kubeconfig='$KCFG/admin.yaml' -n team-a logs crashy | grep -q 'crashy v1.2.3 starting'"

# --- identities ----------------------------------------------------------------------------------
t_whoami() { # who expected-user
  local u
  u="$(kas "$1" auth whoami -o jsonpath='{.status.userInfo.username}')"
  [[ "$u" == "$2" ]] || { echo "whoami as $1: $u, want $2"; return 1; }
}
check "admin is loupe-admin" t_whoami admin loupe-admin
t_admin_not_masters() { ! kas admin auth whoami -o jsonpath='{.status.userInfo.groups}' | grep -q system:masters; }
check "admin is not in system:masters" t_admin_not_masters
check "admin can do everything" can admin yes '*' '*' --all-namespaces
check "viewer is viewer (token)" t_whoami viewer viewer
check "viewer can list pods in team-a" can viewer yes list pods -n team-a
check "viewer cannot list pods in team-b" can viewer no list pods -n team-b
check "viewer cannot create deployments in team-a" can viewer no create deployments -n team-a
check "viewer cannot read secrets in team-a" can viewer no get secrets -n team-a
check "viewer: kubectl get pods -n team-a works" kas viewer get pods -n team-a
check_not "viewer: kubectl get pods -n team-b is Forbidden" kas viewer get pods -n team-b
check "editor-b is editor-b (client cert)" t_whoami editor-b editor-b
check "editor-b can create deployments in team-b" can editor-b yes create deployments -n team-b
check "editor-b cannot create deployments in team-a" can editor-b no create deployments -n team-a
check "editor-b cannot list namespaces" can editor-b no list namespaces --all-namespaces
check "editor-b: server dry-run create deployment in team-b" \
  kas editor-b -n team-b create deployment dry --image=example.invalid/x --dry-run=server
t_editor_ns_forbidden() { local out; out="$(kas editor-b get namespaces 2>&1 || true)"; contains "$out" "Forbidden"; }
check "editor-b: kubectl get namespaces is Forbidden" t_editor_ns_forbidden
check "auditor is in group loupe:auditors" bash -c \
  "'$KUBECTL' --kubeconfig='$KCFG/auditor.yaml' auth whoami -o jsonpath='{.status.userInfo.groups}' | grep -q 'loupe:auditors'"
check "auditor can get pods/log in team-a" can auditor yes get pods --subresource=log -n team-a
check "auditor can get pods/log in team-b" can auditor yes get pods --subresource=log -n team-b
check "auditor can get configmap app-settings (resourceNames)" can auditor yes get configmap/app-settings -n team-a
check "auditor cannot get configmap other-settings" can auditor no get configmap/other-settings -n team-a
check "auditor cannot list configmaps" can auditor no list configmaps -n team-a
check "auditor can get widget alpha only" can auditor yes get widgets.demo.loupe.dev/alpha -n team-a
check "auditor cannot get widget beta" can auditor no get widgets.demo.loupe.dev/beta -n team-a
check "auditor cannot get secrets" can auditor no get secrets -n team-a
check "auditor cannot delete pods" can auditor no delete pods -n team-a
check "auditor: kubectl logs deploy/web works" kas auditor -n team-a logs deploy/web
check "ci-bot is system:serviceaccount:team-a:ci-bot" t_whoami ci-bot system:serviceaccount:team-a:ci-bot
check "ci-bot can create deployments in team-a" can ci-bot yes create deployments -n team-a
check "ci-bot can delete pods in team-a" can ci-bot yes delete pods -n team-a
check "ci-bot cannot create deployments in team-b" can ci-bot no create deployments -n team-b
check "ci-bot cannot read secrets in team-a" can ci-bot no get secrets -n team-a
t_tokenrequest() {
  local tok u
  tok="$(k -n team-b create token default --duration=10m)"
  u="$("$KUBECTL" --kubeconfig=/dev/null --server="https://127.0.0.1:$API_PORT" \
    --certificate-authority="$STATE/pki/ca.crt" --token="$tok" auth whoami -o jsonpath='{.status.userInfo.username}')"
  [[ "$u" == system:serviceaccount:team-b:default ]] || { echo "whoami with requested token: $u"; return 1; }
}
check "TokenRequest (kubectl create token) yields a working token" t_tokenrequest

# --- merged kubeconfig ---------------------------------------------------------------------------
t_contexts() {
  local got want
  got="$("$KUBECTL" --kubeconfig="$MERGED" config get-contexts -o name | sort | tr '\n' ' ')"
  want="broken-bad-token broken-exec-missing broken-missing-cluster broken-wrong-ca broken-wrong-name broken-wrong-port sandbox-admin sandbox-auditor sandbox-ci-bot sandbox-editor-b sandbox-viewer "
  [[ "$got" == "$want" ]] || { echo "contexts: $got"; return 1; }
  [[ "$("$KUBECTL" --kubeconfig="$MERGED" config current-context)" == sandbox-admin ]]
}
check "sandbox.yaml: contexts and current-context" t_contexts
check_not "sandbox.yaml is self-contained (no file references)" \
  grep -nE '^\s*(certificate-authority|client-certificate|client-key|tokenFile):' "$MERGED"
t_merged_each() {
  local c who
  for c in admin:loupe-admin viewer:viewer editor-b:editor-b auditor:auditor ci-bot:system:serviceaccount:team-a:ci-bot; do
    who="$(cd / && "$KUBECTL" --kubeconfig="$MERGED" --context="sandbox-${c%%:*}" auth whoami -o jsonpath='{.status.userInfo.username}')"
    [[ "$who" == "${c#*:}" ]] || { echo "context sandbox-${c%%:*}: $who"; return 1; }
  done
}
check "sandbox.yaml: every sandbox-* context authenticates (from /)" t_merged_each
t_modes() {
  local bad
  bad="$(find "$KCFG" -type f ! -perm 0600)"
  [[ -z "$bad" ]] || { echo "not 0600: $bad"; return 1; }
}
check "kubeconfig files are mode 0600" t_modes

# --- broken kubeconfigs ----------------------------------------------------------------------------
# expect_fail <name> <kubeconfig> <context or -> <pattern...>: kubectl get ns must fail, stderr must match all patterns
expect_fail() {
  local name="$1" cfg="$2" ctx="$3"; shift 3
  local args=(--kubeconfig="$cfg" --request-timeout=10s) out p
  [[ "$ctx" != - ]] && args+=(--context="$ctx")
  if out="$(timeout 30 "$KUBECTL" "${args[@]}" get namespaces 2>&1)"; then
    nok "$name" "unexpectedly succeeded: $out"; return
  fi
  for p in "$@"; do
    if ! grep -qE -- "$p" <<<"$out"; then nok "$name" "missing /$p/ in: $out"; return; fi
  done
  ok "$name"
}
B="$KCFG/broken"
expect_fail "broken/wrong-ca.yaml: x509 unknown authority" "$B/wrong-ca.yaml" - \
  'x509: certificate signed by unknown authority'
expect_fail "broken/wrong-name.yaml: certificate not valid for not-in-cert.example" "$B/wrong-name.yaml" - \
  'x509: certificate is valid for .*, not not-in-cert\.example'
expect_fail "broken/bad-token.yaml: Unauthorized" "$B/bad-token.yaml" - \
  'You must be logged in to the server \(Unauthorized\)'
check_not "nothing listens on 127.0.0.1:$WRONG_PORT" bash -c "ss -Hltn 'sport = :$WRONG_PORT' | grep -q ."
expect_fail "broken/wrong-port.yaml: connection refused" "$B/wrong-port.yaml" - \
  "dial tcp 127\.0\.0\.1:$WRONG_PORT: connect: connection refused"
expect_fail "broken/exec-missing.yaml: executable not found + install hint" "$B/exec-missing.yaml" - \
  'exec: executable kubectl-oidc_login-notinstalled not found' 'deliberately not installed'
# kubectl 1.32 does not report the missing cluster: it falls back to http://localhost:8080.
expect_fail "broken/missing-cluster.yaml: falls back to localhost:8080" "$B/missing-cluster.yaml" - \
  'The connection to the server localhost:8080 was refused'
expect_fail "sandbox.yaml --context broken-wrong-ca" "$MERGED" broken-wrong-ca 'x509: certificate signed by unknown authority'
expect_fail "sandbox.yaml --context broken-wrong-name" "$MERGED" broken-wrong-name 'not not-in-cert\.example'
expect_fail "sandbox.yaml --context broken-bad-token" "$MERGED" broken-bad-token '\(Unauthorized\)'
expect_fail "sandbox.yaml --context broken-wrong-port" "$MERGED" broken-wrong-port 'connection refused'
expect_fail "sandbox.yaml --context broken-exec-missing" "$MERGED" broken-exec-missing 'executable kubectl-oidc_login-notinstalled not found'
expect_fail "sandbox.yaml --context broken-missing-cluster" "$MERGED" broken-missing-cluster 'server localhost:8080 was refused'
expect_fail "sandbox.yaml --context does-not-exist: context not found" "$MERGED" does-not-exist \
  'context was not found for specified context: does-not-exist'

# --- loopback only -------------------------------------------------------------------------------
t_loopback() {
  local pids=() f pid bin p line addr bad=0 seen=0
  for f in "$STATE"/pids/*.pid; do
    read -r pid bin < "$f"
    [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$bin" ]] || { echo "not running: $f"; bad=1; continue; }
    pids+=("$pid")
  done
  [[ ${#pids[@]} -eq 5 ]] || { echo "expected 5 sandbox processes, found ${#pids[@]}"; bad=1; }
  while read -r line; do
    for p in "${pids[@]}"; do
      if [[ "$line" == *"pid=$p,"* ]]; then
        seen=$((seen + 1))
        addr="$(awk '{print $5}' <<<"$line")"
        [[ "$addr" == 127.0.0.1:* ]] || { echo "non-loopback listener: $line"; bad=1; }
      fi
    done
  done < <(ss -Hltunp)
  (( seen >= 6 )) || { echo "only $seen listening sockets found for sandbox pids"; bad=1; }
  echo "listening sockets checked: $seen"
  return "$bad"
}
check "all listening sockets of sandbox processes are on 127.0.0.1" t_loopback

echo "sandbox: $PASSED passed, $FAILED failed"
(( FAILED == 0 ))
