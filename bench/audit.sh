#!/usr/bin/env bash
# Benchmarks `secretctl audit`:
#  1. --from-logs throughput and peak memory on a generated CloudTrail tree
#     (EVENTS records, default 1,000,000) with the built binary under
#     /usr/bin/time -v, for --summary (constant memory) and for a filtered
#     event list;
#  2. live-mode pacing against the fake CloudTrail server (Go benchmark):
#     requests/s versus the 2/s quota with injected throttling.
# Usage: bench/audit.sh [EVENTS]
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-1000000}
PER_FILE=2000
FILES=$(( (EVENTS + PER_FILE - 1) / PER_FILE ))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/secretctl" ./cmd/secretctl
go build -o "$work/gentree" ./internal/audit/audittest/gentree
echo "== generating $FILES files x $PER_FILE records"
"$work/gentree" -dir "$work/logs" -fixtures testdata/audit -files "$FILES" -per-file "$PER_FILE"
du -sh "$work/logs" | awk '{print "tree size (gzip): " $1}'

measure() {
	local label=$1; shift
	local start end
	start=$(date +%s.%N)
	/usr/bin/time -v "$work/secretctl" "$@" >"$work/out" 2>"$work/time" || { cat "$work/time"; exit 1; }
	end=$(date +%s.%N)
	local secs rss
	secs=$(echo "$end - $start" | bc -l)
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
	local user sys cpu
	user=$(awk -F': ' '/User time/ {print $2}' "$work/time")
	sys=$(awk -F': ' '/System time/ {print $2}' "$work/time")
	cpu=$(echo "$user + $sys" | bc -l)
	# records/CPU-s is what the code does per core-second whatever else
	# runs on the machine; wall-clock records/s depends on that load.
	printf '%-24s wall %6.2f s = %8.0f records/s | CPU %6.2f s = %8.0f records/CPU-s | peak RSS %6.1f MiB | %s lines out\n' \
		"$label" "$secs" "$(echo "$EVENTS / $secs" | bc -l)" "$cpu" "$(echo "$EVENTS / $cpu" | bc -l)" \
		"$(echo "$rss / 1024" | bc -l)" "$(wc -l <"$work/out")"
}

echo "== --from-logs ($(nproc) cores; load average now: $(cut -d' ' -f1 /proc/loadavg))"
measure "--summary" audit --from-logs "$work/logs" --since 2024-12-01 --until 2025-12-31 --summary
measure "--errors-only (list)" audit --from-logs "$work/logs" --since 2024-12-01 --until 2025-12-31 --errors-only -o csv

echo "== half the tree, to show memory does not grow with events"
half=$(( FILES / 2 ))
mkdir -p "$work/half"
find "$work/logs" -name '*.json.gz' | sort | sed -n "1,${half}p" | while read -r f; do ln -s "$f" "$work/half/$(basename "$f")"; done
EVENTS=$(( half * PER_FILE )) measure "--summary (half)" audit --from-logs "$work/half" --since 2024-12-01 --until 2025-12-31 --summary

echo "== live LookupEvents pacing against the test server"
go test ./internal/audit/ -run '^$' -bench 'BenchmarkLookupRate' -benchtime 2x
