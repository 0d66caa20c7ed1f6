#!/usr/bin/env bash
# Read load on `secretctl serve` beside kumo in one run: N concurrent AWS SDK
# clients doing GetSecretValue for a fixed time against each, with req/s,
# p50/p99 latency, errors, the serve/kumo ratio, and the check that the
# access log holds one record per acknowledged read.
# Usage: bench/serve.sh [clients] [duration]   (defaults: 50 30s)
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./bench/serveload -clients "${1:-50}" -duration "${2:-30s}"
