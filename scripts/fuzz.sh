#!/bin/sh
# Runs every Go fuzz target in the module, one after another, each for
# FUZZTIME (default 60s). Usage: scripts/fuzz.sh [package pattern...]
#
# FUZZMINIMIZETIME (default 1s) bounds how long the fuzzer shrinks each
# input. Go's default, 60s, applies to every input that finds new coverage,
# not only to failures: with seeds of a kilobyte or more (CloudTrail
# records, sealed logs) the workers spent nearly all of a run shrinking and
# reported a few dozen executions. A failing input is still written whole.
set -eu
FUZZTIME=${FUZZTIME:-60s}
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-1s}
GO=${GO:-go}
pkgs=${*:-./...}
status=0
for dir in $($GO list -f '{{.Dir}}' $pkgs); do
	targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*(' "$dir"/*_test.go 2>/dev/null | sed 's/^func //; s/($//' | sort -u)
	for t in $targets; do
		echo "== $t ($dir, $FUZZTIME)"
		if ! $GO test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$dir"; then
			status=1
		fi
	done
done
exit $status
