#!/usr/bin/env bash
# Builds the Kubernetes test tools once and caches them:
#   kube-apiserver (k8s.io/kubernetes, internal/tools/k8senv/apiserver)
#   the External Secrets Operator controller (internal/tools/k8senv/eso)
# under ${XDG_CACHE_HOME:-$HOME/.cache}/secretctl/k8s/<hash of both go.sum>/,
# and installs etcd from Debian when it is missing. Prints the cache
# directory on stdout; the tests find it with the same rule (internal/k8s/k8stest).
#
# A cold build takes a few minutes and a few GB of module and build cache.
# Set GOFLAGS=-p=1 on a small machine.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tools="$root/internal/tools/k8senv"

hash=$(cat "$tools/apiserver/go.sum" "$tools/eso/go.sum" | sha256sum | cut -c1-16)
dir="${XDG_CACHE_HOME:-$HOME/.cache}/secretctl/k8s/$hash"
mkdir -p "$dir"

log() { printf 'k8s-tools: %s\n' "$*" >&2; }

if ! command -v etcd >/dev/null 2>&1; then
  log "installing etcd-server"
  if [ "$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq etcd-server >/dev/null
fi

if [ ! -x "$dir/kube-apiserver" ]; then
  log "building kube-apiserver into $dir"
  v=k8s.io/component-base/version
  start=$(date +%s)
  (cd "$tools/apiserver" && CGO_ENABLED=0 go build -trimpath -o "$dir/kube-apiserver.tmp" \
    -ldflags "-s -w -X $v.gitVersion=v1.32.13 -X $v.gitMajor=1 -X $v.gitMinor=32" \
    k8s.io/kubernetes/cmd/kube-apiserver)
  mv "$dir/kube-apiserver.tmp" "$dir/kube-apiserver"
  log "kube-apiserver built in $(( $(date +%s) - start ))s"
fi

if [ ! -x "$dir/external-secrets" ] || [ ! -f "$dir/eso-crds.yaml" ]; then
  log "building external-secrets into $dir"
  start=$(date +%s)
  (cd "$tools/eso" && CGO_ENABLED=0 go build -trimpath -o "$dir/external-secrets.tmp" -ldflags "-s -w" \
    github.com/external-secrets/external-secrets)
  mv "$dir/external-secrets.tmp" "$dir/external-secrets"
  crds=$(cd "$tools/eso" && go list -m -f '{{.Dir}}' github.com/external-secrets/external-secrets)/deploy/crds/bundle.yaml
  cp "$crds" "$dir/eso-crds.yaml.tmp" && chmod 0644 "$dir/eso-crds.yaml.tmp" && mv "$dir/eso-crds.yaml.tmp" "$dir/eso-crds.yaml"
  log "external-secrets built in $(( $(date +%s) - start ))s"
fi

echo "$dir"
