#!/usr/bin/env bash
# make bench: every benchmark, each comparison against its peer in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
hr() { printf '\n=== %s\n' "$*"; }

hr "get latency: local backend, and secretctl vs the AWS CLI on kumo"
bash bench/get.sh "${BENCH_RUNS:-30}"

hr "exec with 20 secrets: local backend, kumo, and beside the AWS CLI"
bash bench/exec.sh "${BENCH_EXEC_RUNS:-20}"

if [ -x bench/scan.sh ]; then
  hr "scan: secretctl vs gitleaks v8.30.1 (wall time, peak RSS, recall/precision/F1)"
  bash bench/scan.sh
fi

if [ -x bench/audit.sh ]; then
  hr "audit --from-logs throughput and live LookupEvents pacing"
  bash bench/audit.sh
fi

hr "serve: GetSecretValue under load, audited, vs kumo"
bash bench/serve.sh "${SERVE_BENCH_CLIENTS:-50}" "${SERVE_BENCH_DURATION:-30s}"

hr "Go benchmarks"
go test -run '^$' -bench . -benchmem -benchtime "${BENCH_TIME:-1x}" ./internal/... 2>&1 | grep -E '^(Benchmark|ok|FAIL|pkg:)' || true
