#!/bin/sh
# Runs every Go fuzz target in the module, one after another, each for
# FUZZTIME (default 60s). Usage: scripts/fuzz.sh [package pattern...]
set -eu
FUZZTIME=${FUZZTIME:-60s}
GO=${GO:-go}
pkgs=${*:-./...}
status=0
for dir in $($GO list -f '{{.Dir}}' $pkgs); do
	targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*(' "$dir"/*_test.go 2>/dev/null | sed 's/^func //; s/($//' | sort -u)
	for t in $targets; do
		echo "== $t ($dir, $FUZZTIME)"
		if ! $GO test -run '^$' -fuzz "^$t\$" -fuzztime "$FUZZTIME" "$dir"; then
			status=1
		fi
	done
done
exit $status
