#!/usr/bin/env bash
# Loupe sandbox cluster: a real Kubernetes control plane (etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler) plus kwok fake nodes, all on 127.0.0.1,
# built from Go modules. Test infrastructure only. See tests/sandbox/README.md.
#
#   sandbox.sh build      build (or reuse cached) binaries
#   sandbox.sh up         build if needed, start everything, apply manifests, write kubeconfigs
#   sandbox.sh down       stop the recorded processes and remove the state dir
#   sandbox.sh status     show whether it runs, pids, endpoints
#   sandbox.sh env        print `export KUBECONFIG=...` (use: eval "$(sandbox.sh env)")
#   sandbox.sh scale [N]  create N (default 10000) kwok pods in namespaces scale-0..scale-9
#                         (scale 0 deletes those namespaces)
#   sandbox.sh append-log FILE TEXT   append a CRI-format line to $STATE/logs/FILE
#
# Env: LOUPE_CACHE (default ~/.cache/loupe), LOUPE_SANDBOX_DIR (default $LOUPE_CACHE/sandbox),
#      LOUPE_SANDBOX_PORT (API port, default 16443; other ports follow it), GO, KUBECTL,
#      LOUPE_SANDBOX_AUDIT=1 (apiserver audit log, level Metadata, to logs/components/audit.log)
set -euo pipefail

SANDBOX_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LOUPE_CACHE="${LOUPE_CACHE:-$HOME/.cache/loupe}"
STATE="${LOUPE_SANDBOX_DIR:-$LOUPE_CACHE/sandbox}"
GO="${GO:-}"
KUBECTL="${KUBECTL:-kubectl}"

# Ports (all bound to 127.0.0.1). Only the API port is meant to be overridden; the
# others are derived from it so two sandboxes with different API ports do not clash.
API_PORT="${LOUPE_SANDBOX_PORT:-16443}"
ETCD_CLIENT_PORT=$((API_PORT + 1))   # 16444
ETCD_PEER_PORT=$((API_PORT + 2))     # 16445
KWOK_PORT=$((API_PORT + 3))          # 16446 (kubelet-like server for logs/exec)
KCM_PORT=$((API_PORT + 4))           # 16447 (controller-manager /healthz, https)
SCHED_PORT=$((API_PORT + 5))         # 16448 (scheduler /healthz, https)
WRONG_PORT=$((API_PORT + 9))         # 16452: nothing listens here (broken kubeconfig)
SERVICE_CIDR="10.96.0.0/16"
SERVICE_FIRST_IP="10.96.0.1"

KWOK_STAGE_FILES=(
  kustomize/stage/node/fast/node-initialize.yaml
  kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml
  kustomize/stage/pod/fast/pod-ready.yaml
  kustomize/stage/pod/fast/pod-complete.yaml
  kustomize/stage/pod/fast/pod-delete.yaml
)

log() { printf '[sandbox] %s\n' "$*" >&2; }
die() { printf '[sandbox] error: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------------------
# build
# ---------------------------------------------------------------------------

find_go() {
  if [[ -z "$GO" ]]; then
    if command -v go >/dev/null 2>&1; then GO="$(command -v go)"
    elif [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go
    else die "go not found (set GO=/path/to/go)"; fi
  fi
}

go_env() {
  # Build environment from reference §6; -buildvcs=false because the wrapper
  # modules live in a git checkout whose state must not leak into binaries.
  GOWORK=off GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" "$GO" "$@"
}

mod_version() { # dir module -> version
  (cd "$1" && go_env list -m -f '{{.Version}}' "$2")
}

# Computes versions and the cache key; sets K8S_VERSION ETCD_VERSION KWOK_VERSION GO_VERSION BIN_DIR
compute_key() {
  find_go
  local cp="$SANDBOX_SRC/controlplane" kw="$SANDBOX_SRC/kwok"
  [[ -f "$cp/go.sum" && -f "$kw/go.sum" ]] || die "missing go.sum in $cp or $kw"
  K8S_VERSION="$(mod_version "$cp" k8s.io/kubernetes)"
  ETCD_VERSION="$(mod_version "$cp" go.etcd.io/etcd/server/v3)"
  KWOK_VERSION="$(mod_version "$kw" sigs.k8s.io/kwok)"
  GO_VERSION="$(go_env env GOVERSION)"
  # Recipe: bump when the build flags below change.
  local recipe="loupe-sandbox-build-1 -trimpath -tags=notest -s -w"
  local key
  key="$({
    printf '%s\n' "$K8S_VERSION" "$ETCD_VERSION" "$KWOK_VERSION" "$GO_VERSION" "$recipe"
    cat "$cp/go.sum" "$kw/go.sum" "$cp/go.mod" "$kw/go.mod" "$cp"/cmd/*/main.go
  } | sha256sum | cut -c1-16)"
  BIN_DIR="$LOUPE_CACHE/sandbox-bin/$key"
}

cmd_build() {
  compute_key
  log "go:   $GO ($GO_VERSION)"
  log "k8s.io/kubernetes $K8S_VERSION, go.etcd.io/etcd/server/v3 $ETCD_VERSION, sigs.k8s.io/kwok $KWOK_VERSION"
  log "binaries: $BIN_DIR"
  if [[ -f "$BIN_DIR/.complete" ]]; then
    log "up to date, nothing to build"
    return 0
  fi
  local t0 t tmp cp="$SANDBOX_SRC/controlplane" kw="$SANDBOX_SRC/kwok"
  t0="$(now)"
  tmp="$BIN_DIR.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" EXIT

  local minor major date commit
  major="${K8S_VERSION#v}"; major="${major%%.*}"
  minor="${K8S_VERSION#v*.}"; minor="${minor%%.*}"
  date="$(cd "$cp" && go_env list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes 2>/dev/null || echo 1970-01-01T00:00:00Z)"
  commit="0000000000000000000000000000000000000000"
  local vpkg=k8s.io/component-base/version
  local ldflags="-s -w -X $vpkg.gitVersion=$K8S_VERSION -X $vpkg.gitMajor=$major -X $vpkg.gitMinor=$minor"
  ldflags+=" -X $vpkg.gitTreeState=clean -X $vpkg.gitCommit=$commit -X $vpkg.buildDate=$date"

  # Fetch (if needed) every module the builds use. Not `go mod download all`: that also adds
  # go.sum lines, which would change the cache key; with -mod=readonly a go.sum gap is an error.
  t="$(now)"
  (cd "$cp" && go_env list -deps ./cmd/... >/dev/null) || die "resolving packages failed in $cp"
  (cd "$kw" && go_env list -deps sigs.k8s.io/kwok/cmd/kwok >/dev/null) || die "resolving packages failed in $kw"
  log "step: module download/resolve ............ $(elapsed "$t") s"

  local b
  for b in etcd kube-apiserver kube-controller-manager kube-scheduler; do
    t="$(now)"
    (cd "$cp" && go_env build -trimpath -tags notest -ldflags "$ldflags" -o "$tmp/$b" "./cmd/$b") \
      || die "building $b failed"
    log "step: build $b ............ $(elapsed "$t") s"
  done
  t="$(now)"
  (cd "$kw" && go_env build -trimpath -tags notest -ldflags "-s -w" -o "$tmp/kwok" sigs.k8s.io/kwok/cmd/kwok) \
    || die "building kwok failed"
  log "step: build kwok ............ $(elapsed "$t") s"

  # kwok v0.8.0 ships no built-in stages: copy the stage YAMLs out of the module cache
  # next to the binaries (never into the repository).
  local kdir
  kdir="$(cd "$kw" && go_env list -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
  mkdir -p "$tmp/kwok-stages"
  local f
  for f in "${KWOK_STAGE_FILES[@]}"; do
    [[ -f "$kdir/$f" ]] || die "kwok stage file not found: $kdir/$f"
    cp "$kdir/$f" "$tmp/kwok-stages/$(basename "$f")"
  done
  chmod -R u+w "$tmp/kwok-stages"

  "$tmp/kube-apiserver" --version >&2
  {
    echo "k8s=$K8S_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION go=$GO_VERSION"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ) seconds=$(elapsed "$t0")"
  } > "$tmp/.complete"
  rm -rf "$BIN_DIR"
  mv "$tmp" "$BIN_DIR"
  trap - EXIT
  log "build done in $(elapsed "$t0") s"
  ls -l "$BIN_DIR" >&2
}


# ---------------------------------------------------------------------------
# state, processes
# ---------------------------------------------------------------------------

PKI="$STATE/pki"
KCFG="$STATE/kubeconfigs"
COMP="$STATE/components"   # component kubeconfigs and configs (not for tests)
PIDS="$STATE/pids"
LOGS="$STATE/logs"         # pod log files (CRI format) and component logs under logs/components
CLOG="$STATE/logs/components"
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)
STARTED=()
UP_OK=0

# pid file: "<pid> <absolute binary path>"; a pid counts as ours only if /proc/<pid>/exe is that binary.
pid_of() {
  local f="$PIDS/$1.pid" pid bin
  [[ -f "$f" ]] || return 1
  read -r pid bin < "$f" || return 1
  [[ -n "$pid" && "$(readlink "/proc/$pid/exe" 2>/dev/null)" == "$bin" ]] || return 1
  echo "$pid"
}

running() { pid_of kube-apiserver >/dev/null 2>&1; }

start_component() { # name args...
  local name="$1"; shift
  local bin="$BIN_DIR/$name"
  [[ -x "$bin" ]] || die "binary missing: $bin"
  # fd 9 is the lock file: do not let daemons inherit it.
  setsid "$bin" "$@" >"$CLOG/$name.log" 2>&1 </dev/null 9>&- &
  echo "$! $bin" > "$PIDS/$name.pid"
  STARTED+=("$name")
  log "started $name (pid $!)"
}

# alive <pid>: exists and is not a zombie (daemons are reparented to pid 1, which may reap late).
alive() {
  local st
  st="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$st" && "$st" != Z ]]
}

stop_component() { # name
  local name="$1" pid i
  pid="$(pid_of "$name")" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 150; i++)); do
    alive "$pid" || break
    sleep 0.1
  done
  if alive "$pid"; then
    log "$name (pid $pid) did not stop 15 s after SIGTERM, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.1; done
  fi
  log "stopped $name (pid $pid)"
}

stop_all() {
  local i
  [[ -d "$PIDS" ]] || return 0
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    stop_component "${COMPONENTS[$i]}"
  done
}

# wait_for <description> <timeout seconds> <component or -> cmd...
wait_for() {
  local what="$1" timeout="$2" comp="$3"; shift 3
  local deadline t0
  t0="$(now)"
  deadline=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    if [[ "$comp" != "-" ]] && ! pid_of "$comp" >/dev/null; then
      tail -n 30 "$CLOG/$comp.log" >&2 || true
      die "$comp exited while waiting for: $what (log: $CLOG/$comp.log)"
    fi
    if (( $(date +%s) >= deadline )); then
      [[ "$comp" != "-" ]] && { tail -n 30 "$CLOG/$comp.log" >&2 || true; }
      die "timed out after ${timeout}s waiting for: $what"
    fi
    sleep 0.2
  done
  log "ready: $what ($(elapsed "$t0") s)"
}

take_lock() {
  mkdir -p "$(dirname "$STATE")"
  exec 9>"$STATE.lock"
  flock -w 120 9 || die "another sandbox.sh up/down holds $STATE.lock"
}

need_tools() {
  local t
  for t in "$@"; do command -v "$t" >/dev/null 2>&1 || die "required tool not found: $t"; done
}

port_in_use() { ss -Htln "sport = :$1" | grep -q .; }

# ---------------------------------------------------------------------------
# PKI and kubeconfigs
# ---------------------------------------------------------------------------

# sign_cert <name> <subject> <key: rsa|ec> <extensions...>  (signed by $PKI/${SIGNER:-ca})
sign_cert() {
  local name="$1" subj="$2" alg="$3"; shift 3
  local keyopts=(-newkey rsa:2048)
  [[ "$alg" == ec ]] && keyopts=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1)
  openssl req -new -nodes "${keyopts[@]}" -keyout "$PKI/$name.key" -out "$PKI/$name.csr" \
    -subj "$subj" 2>/dev/null
  printf '%s\n' "$@" "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" > "$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/${SIGNER:-ca}.crt" -CAkey "$PKI/${SIGNER:-ca}.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days 825 -sha256 \
    -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

gen_ca() { # name cn [ec]
  local keyopts=(-newkey rsa:2048)
  [[ "${3:-}" == ec ]] && keyopts=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1)
  openssl req -x509 -new -nodes "${keyopts[@]}" -keyout "$PKI/$1.key" -out "$PKI/$1.crt" \
    -days 3650 -sha256 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" 2>/dev/null
}

gen_pki() {
  local t; t="$(now)"
  local client=("basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=clientAuth")
  gen_ca ca loupe-sandbox-ca
  gen_ca other-ca loupe-sandbox-other-ca ec   # for broken/wrong-ca.yaml only
  rm -f "$PKI/other-ca.key"
  # Front proxy (request-header) CA, as kubeadm sets up; without it controller-manager and
  # scheduler keep logging "missing content for CA bundle ... requestheader-client-ca-file".
  gen_ca front-proxy-ca loupe-sandbox-front-proxy-ca ec
  SIGNER=front-proxy-ca sign_cert front-proxy-client "/CN=front-proxy-client" ec "${client[@]}"
  sign_cert apiserver "/CN=kube-apiserver" rsa \
    "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" \
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:$SERVICE_FIRST_IP"
  # Users (CN = user name, O = groups).
  sign_cert admin "/CN=loupe-admin" rsa "${client[@]}"
  sign_cert editor-b "/CN=editor-b/O=loupe:team-b" ec "${client[@]}"
  sign_cert auditor "/CN=auditor/O=loupe:auditors" ec "${client[@]}"
  # Components. bootstrap is system:masters: used by sandbox.sh for the first RBAC objects and by kwok.
  sign_cert bootstrap "/CN=loupe-bootstrap/O=system:masters" ec "${client[@]}"
  sign_cert kube-controller-manager "/CN=system:kube-controller-manager" ec "${client[@]}"
  sign_cert kube-scheduler "/CN=system:kube-scheduler" ec "${client[@]}"
  # ServiceAccount token signing key pair.
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/sa.key" 2>/dev/null
  openssl pkey -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  # Static tokens: token,user,uid,"groups"
  VIEWER_TOKEN="$(openssl rand -hex 24)"
  BAD_TOKEN="$(openssl rand -hex 24)"
  printf '%s,viewer,uid-viewer,"loupe:viewers"\n' "$VIEWER_TOKEN" > "$PKI/tokens.csv"
  log "pki generated ($(elapsed "$t") s)"
}

b64() { base64 -w0 < "$1"; }

# YAML fragments for kubeconfigs.
kc_cluster() { # name server ca-file [tls-server-name]
  printf -- '- name: %s\n  cluster:\n    server: %s\n    certificate-authority-data: %s\n' "$1" "$2" "$(b64 "$3")"
  if [[ -n "${4:-}" ]]; then printf '    tls-server-name: %s\n' "$4"; fi
}
kc_user_cert() { # name cert key
  printf -- '- name: %s\n  user:\n    client-certificate-data: %s\n    client-key-data: %s\n' "$1" "$(b64 "$2")" "$(b64 "$3")"
}
kc_user_token() { printf -- '- name: %s\n  user:\n    token: %s\n' "$1" "$2"; }
kc_user_exec_missing() {
  cat <<'YAML'
- name: exec-missing
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: kubectl-oidc_login-notinstalled
      args: [get-token, --oidc-issuer-url=https://issuer.example.invalid, --oidc-client-id=loupe]
      installHint: |
        kubectl-oidc_login-notinstalled is deliberately not installed: this kubeconfig tests a missing
        exec credential plugin (the real one would be kubelogin, installed e.g. with `kubectl krew install oidc-login`).
      interactiveMode: Never
      provideClusterInfo: false
YAML
}
kc_context() { # name cluster user [namespace]
  printf -- '- name: %s\n  context:\n    cluster: %s\n    user: %s\n' "$1" "$2" "$3"
  if [[ -n "${4:-}" ]]; then printf '    namespace: %s\n' "$4"; fi
}
# write_kubeconfig <file> <current-context> <clusters yaml> <users yaml> <contexts yaml>
write_kubeconfig() {
  {
    printf 'apiVersion: v1\nkind: Config\npreferences: {}\ncurrent-context: %s\n' "$2"
    if [[ -n "$3" ]]; then printf 'clusters:\n%s\n' "$3"; else printf 'clusters: []\n'; fi
    printf 'users:\n%s\n' "$4"
    printf 'contexts:\n%s\n' "$5"
  } > "$1"
  chmod 600 "$1"
}

SERVER() { echo "https://127.0.0.1:$API_PORT"; }

write_component_kubeconfigs() {
  local c
  for c in bootstrap kube-controller-manager kube-scheduler; do
    write_kubeconfig "$COMP/$c.kubeconfig" "$c" \
      "$(kc_cluster sandbox "$(SERVER)" "$PKI/ca.crt")" \
      "$(kc_user_cert "$c" "$PKI/$c.crt" "$PKI/$c.key")" \
      "$(kc_context "$c" sandbox "$c")"
  done
}

write_user_kubeconfigs() { # needs VIEWER_TOKEN BAD_TOKEN CI_TOKEN
  local cl_ok cl_ca cl_name cl_port
  local u_admin u_viewer u_editor u_auditor u_ci u_bad u_exec
  cl_ok="$(kc_cluster sandbox "$(SERVER)" "$PKI/ca.crt")"
  cl_ca="$(kc_cluster sandbox-wrong-ca "$(SERVER)" "$PKI/other-ca.crt")"
  cl_name="$(kc_cluster sandbox-wrong-name "$(SERVER)" "$PKI/ca.crt" not-in-cert.example)"
  cl_port="$(kc_cluster sandbox-wrong-port "https://127.0.0.1:$WRONG_PORT" "$PKI/ca.crt")"
  u_admin="$(kc_user_cert admin "$PKI/admin.crt" "$PKI/admin.key")"
  u_viewer="$(kc_user_token viewer "$VIEWER_TOKEN")"
  u_editor="$(kc_user_cert editor-b "$PKI/editor-b.crt" "$PKI/editor-b.key")"
  u_auditor="$(kc_user_cert auditor "$PKI/auditor.crt" "$PKI/auditor.key")"
  u_ci="$(kc_user_token ci-bot "$CI_TOKEN")"
  u_bad="$(kc_user_token bad-token "$BAD_TOKEN")"
  u_exec="$(kc_user_exec_missing)"
  local c_admin c_viewer c_editor c_auditor c_ci
  c_admin="$(kc_context sandbox-admin sandbox admin)"
  c_viewer="$(kc_context sandbox-viewer sandbox viewer team-a)"
  c_editor="$(kc_context sandbox-editor-b sandbox editor-b team-b)"
  c_auditor="$(kc_context sandbox-auditor sandbox auditor)"
  c_ci="$(kc_context sandbox-ci-bot sandbox ci-bot team-a)"
  local b_ca b_name b_tok b_port b_exec b_miss
  b_ca="$(kc_context broken-wrong-ca sandbox-wrong-ca admin)"
  b_name="$(kc_context broken-wrong-name sandbox-wrong-name admin)"
  b_tok="$(kc_context broken-bad-token sandbox bad-token)"
  b_port="$(kc_context broken-wrong-port sandbox-wrong-port admin)"
  b_exec="$(kc_context broken-exec-missing sandbox exec-missing)"
  b_miss="$(kc_context broken-missing-cluster no-such-cluster admin)"

  mkdir -p "$KCFG/broken"
  write_kubeconfig "$KCFG/admin.yaml" sandbox-admin "$cl_ok" "$u_admin" "$c_admin"
  write_kubeconfig "$KCFG/viewer.yaml" sandbox-viewer "$cl_ok" "$u_viewer" "$c_viewer"
  write_kubeconfig "$KCFG/editor-b.yaml" sandbox-editor-b "$cl_ok" "$u_editor" "$c_editor"
  write_kubeconfig "$KCFG/auditor.yaml" sandbox-auditor "$cl_ok" "$u_auditor" "$c_auditor"
  write_kubeconfig "$KCFG/ci-bot.yaml" sandbox-ci-bot "$cl_ok" "$u_ci" "$c_ci"
  write_kubeconfig "$KCFG/broken/wrong-ca.yaml" broken-wrong-ca "$cl_ca" "$u_admin" "$b_ca"
  write_kubeconfig "$KCFG/broken/wrong-name.yaml" broken-wrong-name "$cl_name" "$u_admin" "$b_name"
  write_kubeconfig "$KCFG/broken/bad-token.yaml" broken-bad-token "$cl_ok" "$u_bad" "$b_tok"
  write_kubeconfig "$KCFG/broken/wrong-port.yaml" broken-wrong-port "$cl_port" "$u_admin" "$b_port"
  write_kubeconfig "$KCFG/broken/exec-missing.yaml" broken-exec-missing "$cl_ok" "$u_exec" "$b_exec"
  write_kubeconfig "$KCFG/broken/missing-cluster.yaml" broken-missing-cluster "$cl_ok" "$u_admin" "$b_miss"
  write_kubeconfig "$KCFG/sandbox.yaml" sandbox-admin \
    "$(printf '%s\n' "$cl_ok" "$cl_ca" "$cl_name" "$cl_port")" \
    "$(printf '%s\n' "$u_admin" "$u_viewer" "$u_editor" "$u_auditor" "$u_ci" "$u_bad" "$u_exec")" \
    "$(printf '%s\n' "$c_admin" "$c_viewer" "$c_editor" "$c_auditor" "$c_ci" \
        "$b_ca" "$b_name" "$b_tok" "$b_port" "$b_exec" "$b_miss")"
}

# ---------------------------------------------------------------------------
# kwok config and log files
# ---------------------------------------------------------------------------

cri_line() { # stream text...
  local s="$1"; shift
  printf '%s %s F %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" "$s" "$*"
}

init_logs() {
  mkdir -p "$LOGS"
  {
    cri_line stdout "logger starting, pid 1"
    cri_line stdout "tick 1"
    cri_line stdout "tick 2"
  } > "$LOGS/logger-app.log"
  {
    cri_line stdout "sidecar: watching /var/log/app"
    cri_line stderr "sidecar: warning: rotation disabled"
  } > "$LOGS/logger-sidecar.log"
  {
    cri_line stdout "crashy v1.2.3 starting"
    cri_line stdout "connecting to db.team-b.svc:5432"
  } > "$LOGS/crashy.log"
  {
    cri_line stdout "crashy v1.2.3 starting"
    cri_line stdout "connecting to db.team-b.svc:5432"
    cri_line stderr "panic: runtime error: invalid memory address or nil pointer dereference"
    cri_line stderr "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2f1b]"
    cri_line stderr "goroutine 1 [running]:"
    cri_line stderr "main.connect(...)"
  } > "$LOGS/crashy-previous.log"
  {
    cri_line stdout '10.244.0.7 - - "GET / HTTP/1.1" 200 615 "-" "curl/8.5.0"'
    cri_line stdout '10.244.0.9 - - "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.34"'
    cri_line stderr '2026/01/01 00:00:00 [notice] 1#1: nginx/1.27.0'
  } > "$LOGS/team-a.log"
  {
    cri_line stdout '{"level":"info","msg":"api listening","port":8080}'
    cri_line stdout '{"level":"warn","msg":"slow query","ms":812}'
  } > "$LOGS/team-b.log"
  cri_line stdout "hello from the Loupe sandbox" > "$LOGS/cluster.log"
}

write_kwok_config() {
  local f="$COMP/kwok.yaml" s
  {
    cat <<'YAML'
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  # kwok v0.8.0 applies its defaults only when no KwokConfiguration is given, so every
  # default is spelled out here (without this, debugging handlers - pod logs - are off
  # and "node leases parallelism must be greater than 0").
  cidr: 10.244.0.0/16
  enableDebuggingHandlers: true
  enableContentionProfiling: false
  enableProfilingHandler: false
  podPlayStageParallelism: 16
  nodePlayStageParallelism: 4
  nodeLeaseParallelism: 4
  podsOnNodeSyncParallelism: 2
  enablePodsOnNodeSyncListPager: true
  enablePodsOnNodeSyncStreamWatch: false
YAML
    for s in "$BIN_DIR"/kwok-stages/*.yaml; do
      printf -- '---\n'; cat "$s"; printf '\n'
    done
    printf -- '---\n'; cat "$SANDBOX_SRC/config/kwok-stages.yaml"; printf '\n'
    printf -- '---\n'; sed "s#__STATE__#$STATE#g" "$SANDBOX_SRC/config/kwok-logs.yaml"
  } > "$f"
}

# ---------------------------------------------------------------------------
# up / down / status / env
# ---------------------------------------------------------------------------

kc_boot() { "$KUBECTL" --kubeconfig="$COMP/bootstrap.kubeconfig" "$@"; }
kc_admin() { "$KUBECTL" --kubeconfig="$KCFG/admin.yaml" "$@"; }

on_up_exit() {
  local rc=$?
  if (( UP_OK == 0 )); then
    log "up failed (exit $rc): stopping what was started; logs kept in $CLOG (run '$0 down' to remove $STATE)"
    stop_all
  fi
}

apply_manifests() { # kubectl-function files...
  local fn="$1"; shift
  local f args=()
  for f in "$@"; do args+=(-f "$SANDBOX_SRC/manifests/$f"); done
  "$fn" apply "${args[@]}" >/dev/null
}

cmd_up() {
  local t0; t0="$(now)"
  umask 077
  need_tools openssl curl ss setsid flock base64 "$KUBECTL"
  take_lock
  if running; then
    log "already running (api https://127.0.0.1:$API_PORT, pid $(pid_of kube-apiserver))"
    echo "$KCFG/sandbox.yaml"
    return 0
  fi
  if [[ -e "$STATE" ]]; then
    log "removing stale state dir $STATE (not running)"
    stop_all
    rm -rf "$STATE"
  fi
  compute_key
  if [[ ! -f "$BIN_DIR/.complete" ]]; then
    log "binaries not built yet: building (a cold build takes 20-40 min on 2 cores)"
    (cmd_build)
  fi
  local p
  for p in "$API_PORT" "$ETCD_CLIENT_PORT" "$ETCD_PEER_PORT" "$KWOK_PORT" "$KCM_PORT" "$SCHED_PORT"; do
    port_in_use "$p" && die "port 127.0.0.1:$p is already in use (set LOUPE_SANDBOX_PORT to move the sandbox)"
  done
  port_in_use "$WRONG_PORT" && log "warning: port $WRONG_PORT (used by broken/wrong-port.yaml) is in use"

  mkdir -p "$STATE" "$PKI" "$KCFG" "$COMP" "$PIDS" "$LOGS" "$CLOG"
  chmod 700 "$STATE"
  trap on_up_exit EXIT

  gen_pki
  write_component_kubeconfigs
  write_kwok_config
  init_logs

  start_component etcd \
    --name=loupe --data-dir="$STATE/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="loupe=http://127.0.0.1:$ETCD_PEER_PORT" \
    --unsafe-no-fsync --auto-compaction-retention=1 --quota-backend-bytes=8589934592 \
    --log-level=warn
  wait_for "etcd /health" 30 etcd curl -sf "http://127.0.0.1:$ETCD_CLIENT_PORT/health"

  local audit=()
  if [[ "${LOUPE_SANDBOX_AUDIT:-0}" == 1 ]]; then
    printf 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n' > "$COMP/audit-policy.yaml"
    audit=(--audit-policy-file="$COMP/audit-policy.yaml" --audit-log-path="$CLOG/audit.log")
  fi
  start_component kube-apiserver \
    --bind-address=127.0.0.1 --secure-port="$API_PORT" \
    --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
    --etcd-servers="http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" --token-auth-file="$PKI/tokens.csv" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key" \
    --authorization-mode=RBAC \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --allow-privileged=true \
    --kubelet-preferred-address-types=Hostname,InternalIP \
    --event-ttl=24h --profiling=false \
    "${audit[@]}"
  wait_for "kube-apiserver /readyz" 90 kube-apiserver \
    curl -sf --cacert "$PKI/ca.crt" "https://127.0.0.1:$API_PORT/readyz"

  apply_manifests kc_boot 00-bootstrap-rbac.yaml
  write_user_kubeconfigs_early
  wait_for "loupe-admin authorized" 30 - kc_admin auth can-i '*' '*' --all-namespaces

  start_component kube-controller-manager \
    --kubeconfig="$COMP/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$COMP/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$COMP/kube-controller-manager.kubeconfig" \
    --leader-elect=false --bind-address=127.0.0.1 --secure-port="$KCM_PORT" \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --kube-api-qps=300 --kube-api-burst=600 --profiling=false
  start_component kube-scheduler \
    --kubeconfig="$COMP/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$COMP/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$COMP/kube-scheduler.kubeconfig" \
    --leader-elect=false --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" \
    --kube-api-qps=300 --kube-api-burst=600 --profiling=false
  start_component kwok \
    --kubeconfig="$COMP/bootstrap.kubeconfig" --config="$COMP/kwok.yaml" \
    --manage-all-nodes=true --node-name=localhost --node-ip= \
    --node-port="$KWOK_PORT" --server-address="127.0.0.1:$KWOK_PORT" \
    --cidr=10.244.0.0/16 --node-lease-duration-seconds=40

  apply_manifests kc_admin 01-nodes.yaml 02-namespaces.yaml 10-rbac.yaml 20-crd.yaml
  wait_for "kube-controller-manager /healthz" 60 kube-controller-manager \
    curl -skf "https://127.0.0.1:$KCM_PORT/healthz"
  wait_for "kube-scheduler /healthz" 60 kube-scheduler curl -skf "https://127.0.0.1:$SCHED_PORT/healthz"
  wait_for "kwok /healthz" 60 kwok curl -skf "https://127.0.0.1:$KWOK_PORT/healthz"
  wait_for "3 nodes Ready" 60 kwok kc_admin wait --for=condition=Ready node --all --timeout=5s
  wait_for "CRD widgets.demo.loupe.dev established" 30 - \
    kc_admin wait --for=condition=Established crd/widgets.demo.loupe.dev --timeout=5s
  local ns
  for ns in default team-a team-b; do
    wait_for "serviceaccount $ns/default" 60 kube-controller-manager kc_admin -n "$ns" get serviceaccount default
  done

  sed "s/__NOW__/$(date -u +%Y-%m-%dT%H:%M:%SZ)/g" "$SANDBOX_SRC/manifests/50-events.yaml" > "$COMP/50-events.yaml"
  kc_admin apply -f "$SANDBOX_SRC/manifests/21-widgets.yaml" -f "$SANDBOX_SRC/manifests/30-team-a.yaml" \
    -f "$SANDBOX_SRC/manifests/31-team-b.yaml" -f "$SANDBOX_SRC/manifests/40-default.yaml" \
    -f "$COMP/50-events.yaml" >/dev/null
  kc_admin -n team-a patch widget alpha --subresource=status --type=merge -p '{"status":{"phase":"Ready"}}' >/dev/null
  kc_admin -n team-b patch widget gamma --subresource=status --type=merge -p '{"status":{"phase":"Degraded"}}' >/dev/null

  CI_TOKEN="$(kc_admin -n team-a create token ci-bot --duration=8760h)"
  write_user_kubeconfigs

  wait_for "deployments available" 90 - \
    kc_admin wait --for=condition=Available deployment/web -n team-a --timeout=5s
  wait_for "deployment team-b/api available" 60 - \
    kc_admin wait --for=condition=Available deployment/api -n team-b --timeout=5s

  UP_OK=1
  trap - EXIT
  {
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) api=https://127.0.0.1:$API_PORT bin=$BIN_DIR"
  } > "$STATE/up.info"
  log "kubeconfig: $KCFG/sandbox.yaml  (contexts: sandbox-admin sandbox-viewer sandbox-editor-b sandbox-auditor sandbox-ci-bot, broken-*)"
  log "pod log files: $LOGS/*.log   component logs: $CLOG"
  log "use: eval \"\$($0 env)\""
  echo "sandbox up in $(elapsed "$t0") s"
}

# admin.yaml is needed before the other identities exist (bootstrap -> admin).
write_user_kubeconfigs_early() {
  write_kubeconfig "$KCFG/admin.yaml" sandbox-admin \
    "$(kc_cluster sandbox "$(SERVER)" "$PKI/ca.crt")" \
    "$(kc_user_cert admin "$PKI/admin.crt" "$PKI/admin.key")" \
    "$(kc_context sandbox-admin sandbox admin)"
}

cmd_down() {
  take_lock
  if [[ ! -e "$STATE" ]]; then
    log "not running (no state dir $STATE)"
    return 0
  fi
  stop_all
  rm -rf "$STATE"
  log "down; removed $STATE"
}

cmd_status() {
  local c pid rc=0 alive_count=0
  if [[ ! -e "$STATE" ]]; then
    echo "sandbox: not running (no state dir $STATE)"
    return 3
  fi
  for c in "${COMPONENTS[@]}"; do pid_of "$c" >/dev/null && alive_count=$((alive_count + 1)); done
  if (( alive_count == 0 )); then
    echo "sandbox: not running (stale state dir $STATE, e.g. from a failed up; '$0 down' removes it)"
    return 3
  fi
  for c in "${COMPONENTS[@]}"; do
    if pid="$(pid_of "$c")"; then
      printf '  %-24s running  pid %-8s rss %s kB\n' "$c" "$pid" "$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")"
    else
      printf '  %-24s STOPPED\n' "$c"; rc=1
    fi
  done
  if curl -sf --cacert "$PKI/ca.crt" "https://127.0.0.1:$API_PORT/readyz" >/dev/null 2>&1; then
    echo "  api https://127.0.0.1:$API_PORT  /readyz ok"
    "$KUBECTL" --kubeconfig="$KCFG/admin.yaml" get nodes --no-headers 2>/dev/null | sed 's/^/  node /' || true
  else
    echo "  api https://127.0.0.1:$API_PORT  NOT READY"; rc=1
  fi
  echo "  state:      $STATE"
  echo "  kubeconfig: $KCFG/sandbox.yaml"
  if (( rc == 0 )); then echo "sandbox: running"; else echo "sandbox: DEGRADED"; fi
  return "$rc"
}

cmd_env() {
  running || die "sandbox is not running (run: $0 up)"
  echo "export KUBECONFIG=$KCFG/sandbox.yaml"
  echo "export LOUPE_SANDBOX_DIR=$STATE"
  echo "export LOUPE_SANDBOX_SERVER=https://127.0.0.1:$API_PORT"
}

# append-log <file under logs/> <text...>: append one CRI-format stdout line.
cmd_append_log() {
  [[ $# -ge 2 ]] || die "usage: $0 append-log <file, e.g. team-a.log> <text...>"
  local f="$LOGS/$1"; shift
  [[ -f "$f" ]] || die "no such log file: $f"
  cri_line stdout "$*" >> "$f"
}

# ---------------------------------------------------------------------------
# scale
# ---------------------------------------------------------------------------

cmd_scale() {
  local n="${1:-10000}"
  [[ "$n" =~ ^[0-9]+$ ]] || die "usage: $0 scale [N]"
  running || die "sandbox is not running (run: $0 up)"
  local t0; t0="$(now)"
  local nsc=10 i
  if (( n == 0 )); then
    kc_admin delete namespace -l loupe.dev/scale=true --wait=false
    log "deleting scale-* namespaces"
    return 0
  fi
  (( n < nsc )) && nsc=$n
  local per=$(( n / nsc )) rem=$(( n % nsc )) r f="$COMP/scale.yaml"
  : > "$f"
  for ((i = 0; i < nsc; i++)); do
    r=$per; (( i < rem )) && r=$((r + 1))
    cat >> "$f" <<YAML
---
apiVersion: v1
kind: Namespace
metadata: {name: scale-$i, labels: {loupe.dev/scale: "true"}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: filler, namespace: scale-$i, labels: {loupe.dev/scale: "true"}}
spec:
  replicas: $r
  selector: {matchLabels: {app: filler}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 100%, maxUnavailable: 100%}}
  template:
    metadata: {labels: {app: filler, loupe.dev/scale: "true"}}
    spec:
      containers: [{name: filler, image: "registry.example.invalid/filler:1"}]
YAML
  done
  kc_admin apply --server-side -f "$f" >/dev/null
  log "applied $nsc deployments for $n pods ($(elapsed "$t0") s); waiting for pods to be Ready"
  local ready=0 last=-1 deadline=$(( $(date +%s) + 3600 ))
  while :; do
    ready="$(kc_admin get deployment -A -l loupe.dev/scale=true \
      -o jsonpath='{range .items[*]}{.status.readyReplicas}{"\n"}{end}' | awk '{s += $1} END {print s + 0}')"
    (( ready >= n )) && break
    if (( ready != last )); then log "  ready pods: $ready / $n ($(elapsed "$t0") s)"; last=$ready; fi
    (( $(date +%s) < deadline )) || die "timed out: only $ready of $n pods ready"
    sleep 2
  done
  echo "scale: $n pods Running/Ready in $(elapsed "$t0") s"
}

# ---------------------------------------------------------------------------
main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    build) cmd_build "$@" ;;
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    env) cmd_env "$@" ;;
    scale) cmd_scale "$@" ;;
    append-log) cmd_append_log "$@" ;;
    *) die "usage: $0 {build|up|down|status|env|scale [N]|append-log FILE TEXT}" ;;
  esac
}

main "$@"
