#!/usr/bin/env bash
# The main job on the embedded local backend, in a temporary store:
# create, get, put, get the previous version, versions, rollback.
set -euo pipefail
bin=${1:-secretctl}
export SECRETCTL_HOME=$(mktemp -d)
trap 'rm -rf "$SECRETCTL_HOME"' EXIT
run() { printf '\n$ %s\n' "secretctl $*"; "$bin" "$@"; }

printf 'first-demo-value' | run create demo/db-password --description "demo secret"
printf '\n'
run get demo/db-password; printf '\n'
printf 'second-demo-value' | run put demo/db-password
run get demo/db-password; printf '\n'
run get demo/db-password --stage AWSPREVIOUS; printf '\n'
run versions demo/db-password
run rollback demo/db-password
run get demo/db-password; printf '\n'
run list
run describe demo/db-password
