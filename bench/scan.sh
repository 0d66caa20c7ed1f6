#!/usr/bin/env bash
# bench/scan.sh: compare `secretctl scan` with the gitleaks v8.30.1 CLI in one run.
#
#   1. directory trees: bounded, sorted subsets of the Go module cache, copied to a temp dir
#      (gitleaks dir PATH   vs   secretctl scan PATH --no-git-ignore)
#   2. a generated git history of thousands of commits, each tool run 3 times (median reported)
#      (gitleaks git PATH   vs   secretctl scan --git PATH)
#   3. recall / precision / F1 of both on testdata/scan/corpus (gitleaks with its default rules)
#
# Prints wall time and peak RSS (/usr/bin/time -v) of each tool and the secretctl/gitleaks ratio.
# Then the nothing-missed check on each tree and the history: every finding gitleaks reports must
# also be one secretctl reports (same file and commit, a line of the finding's span), or one that
# secretctl's documented value checks drop, counted by reason (scan.SuppressReason). The script
# lists the rest and exits 1 when there are any.
# Knobs (environment): SCAN_BENCH_TREE_MB, tree sizes in MB, one or several ("200 800"; default
# 200; 800 needs a module cache that large, as after scripts/k8s-tools.sh), SCAN_BENCH_COMMITS
# (default 3000), SCAN_BENCH_KEEP=1 keeps the temp dir. Secrets found in the module cache or the generated history
# are never printed: reports stay in the temp dir, which is removed at exit.
set -euo pipefail

GITLEAKS_VERSION=v8.30.1
TREE_MB=${SCAN_BENCH_TREE_MB:-200}
COMMITS=${SCAN_BENCH_COMMITS:-3000}

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/scanbench.XXXXXX")
cleanup() {
	if [ "${SCAN_BENCH_KEEP:-}" = 1 ]; then
		echo "kept $tmp" >&2
		return
	fi
	chmod -R u+w "$tmp" 2>/dev/null || true # module cache files are read-only
	rm -rf "$tmp"
}
trap cleanup EXIT

log() { printf '== %s\n' "$*" >&2; }

# --- tools ------------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
	log "installing GNU time"
	apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
fi

cache=${XDG_CACHE_HOME:-$HOME/.cache}/secretctl-bench
gitleaks=$cache/gitleaks-$GITLEAKS_VERSION/gitleaks
if [ ! -x "$gitleaks" ]; then
	if command -v gitleaks >/dev/null && gitleaks version 2>/dev/null | grep -q "${GITLEAKS_VERSION#v}"; then
		gitleaks=$(command -v gitleaks)
	else
		log "installing gitleaks $GITLEAKS_VERSION into $cache"
		mkdir -p "$(dirname "$gitleaks")"
		# outside the module so that this repo's go.mod does not pin gitleaks' own dependencies
		(cd "$tmp" && GOBIN=$(dirname "$gitleaks") GOFLAGS=-mod=mod go install "github.com/zricethezav/gitleaks/v8@$GITLEAKS_VERSION")
	fi
fi

go build -o "$tmp/scorecmd" ./bench/scorecmd
secretctl=""
if go build -o "$tmp/secretctl" ./cmd/secretctl 2>"$tmp/build.err"; then
	secretctl=$tmp/secretctl
else
	log "secretctl does not build; only gitleaks is measured"
	sed 's/^/   /' "$tmp/build.err" | head -20 >&2
fi

# --- measurement ------------------------------------------------------------------------------
# measure NAME CMD...: run CMD under /usr/bin/time -v; exit codes 0 and 1 (leaks found) are fine.
measure() {
	local name=$1 rc=0
	shift
	/usr/bin/time -v -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || rc=$?
	if [ "$rc" -gt 1 ]; then
		log "$name failed (exit $rc)"
		sed 's/^/   /' "$tmp/$name.err" | tail -20 >&2
		return 1
	fi
}

# measure_median NAME RUNS CMD...: run CMD RUNS times (each under /usr/bin/time -v) and keep, as
# NAME, the run with the median wall time. For workloads of a second or less, where one run
# swings with start-up and the page cache; both tools are measured the same way.
measure_median() {
	local name=$1 runs=$2 i pick
	shift 2
	: >"$tmp/$name.walls"
	for i in $(seq 1 "$runs"); do
		measure "$name.$i" "$@" || return 1
		printf '%s %s\n' "$(wall_s "$name.$i")" "$i" >>"$tmp/$name.walls"
	done
	pick=$(sort -n "$tmp/$name.walls" | awk -v mid=$(((runs + 1) / 2)) 'NR == mid { print $2 }')
	cp "$tmp/$name.$pick.time" "$tmp/$name.time"
}

wall_s() { # elapsed "h:mm:ss" or "m:ss.ss" -> seconds
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }' "$tmp/$1.time"
}
rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$tmp/$1.time"; }
count() { if [ -s "$1" ]; then "$tmp/scorecmd" -count -report "$1"; else echo "-"; fi; }

results=$tmp/results.txt
: >"$results"
row() { # row WORKLOAD TOOL NAME REPORT
	printf '%-34s %-10s %9s %12s %9s\n' "$1" "$2" "$(wall_s "$3")" "$(rss_mb "$3")" "$(count "$4")" >>"$results"
}
ratio() { # ratio WORKLOAD GITLEAKS_NAME SECRETCTL_NAME
	awk -v w="$1" -v gw="$(wall_s "$2")" -v sw="$(wall_s "$3")" -v gr="$(rss_mb "$2")" -v sr="$(rss_mb "$3")" \
		'BEGIN { printf "%-34s %-10s %8.2fx %11.2fx\n", w, "ratio", (gw > 0 ? sw / gw : 0), (gr > 0 ? sr / gr : 0) }' >>"$results"
}

# --- 1. directory trees -----------------------------------------------------------------------
modcache=$(go env GOMODCACHE)
missed_fail=0
# nothing_missed NAME GITLEAKS_REPORT SECRETCTL_REPORT ROOT: every gitleaks finding must be one
# secretctl reports too, or one its documented value checks drop (by reason); prints the rest.
nothing_missed() {
	local rc=0
	{
		echo "nothing missed, $1:"
		"$tmp/scorecmd" -report "$2" -missed-by "$3" -root "$4" || rc=$?
	} >>"$tmp/missed.txt"
	if [ "$rc" -ne 0 ]; then
		missed_fail=1
	fi
}
cache_mb=$(($(du -sb --exclude=cache "$modcache" | cut -f1) / 1024 / 1024))
for mb in $TREE_MB; do
	if [ "$cache_mb" -lt "$mb" ]; then
		log "the module cache holds only $cache_mb MB: the $mb MB tree is smaller (run scripts/k8s-tools.sh to fill it)"
	fi
	log "copying the first $mb MB (sorted paths, cache/ excluded) of $modcache"
	tree=$tmp/tree$mb
	mkdir -p "$tree"
	(cd "$modcache" && find . -path ./cache -prune -o -type f -printf '%s %P\n') |
		LC_ALL=C sort -k2 |
		awk -v limit=$((mb * 1024 * 1024)) '{ total += $1; if (total > limit) next; sub(/^[0-9]+ /, ""); print }' >"$tmp/tree$mb.list"
	tar -C "$modcache" -cf - -T "$tmp/tree$mb.list" | tar -C "$tree" -xf -
	tree_bytes=$(du -sb "$tree" | cut -f1)
	tree_files=$(wc -l <"$tmp/tree$mb.list")
	tree_desc="tree $((tree_bytes / 1024 / 1024)) MB, $tree_files files"
	log "$tree_desc"

	log "gitleaks dir ($mb MB)"
	measure gl-tree$mb "$gitleaks" dir "$tree" --no-banner --exit-code 0 --log-level error \
		--report-format json --report-path "$tmp/gl-tree$mb.json"
	row "$tree_desc" gitleaks gl-tree$mb "$tmp/gl-tree$mb.json"
	if [ -n "$secretctl" ]; then
		log "secretctl scan ($mb MB)"
		if measure sc-tree$mb "$secretctl" scan "$tree" --no-git-ignore --format json --report-path "$tmp/sc-tree$mb.json"; then
			row "$tree_desc" secretctl sc-tree$mb "$tmp/sc-tree$mb.json"
			ratio "$tree_desc" gl-tree$mb sc-tree$mb
			nothing_missed "$tree_desc" "$tmp/gl-tree$mb.json" "$tmp/sc-tree$mb.json" "$tree"
		fi
	fi
	chmod -R u+w "$tree" && rm -rf "$tree" # the next tree needs the space
done

# --- 2. git history ---------------------------------------------------------------------------
# A deterministic history: COMMITS commits over six files; every 50th commit adds a provider-shaped
# token or a password literal (built at run time from a Park-Miller generator, so no secret-shaped
# literal lives in this script); the next commit to the same file drops it again.
log "generating a history of $COMMITS commits"
hist=$tmp/history
git init -q --template= -b main "$hist"
awk -v commits="$COMMITS" '
function rnd(n) { seed = (seed * 16807) % 2147483647; return int(seed / 2147483647 * n) }
function tok(alpha, n,   s, i) { s = ""; for (i = 0; i < n; i++) s = s substr(alpha, rnd(length(alpha)) + 1, 1); return s }
function blob(path, content) { printf "M 100644 inline %s\ndata %d\n%s\n", path, length(content) + 0, content }
function body(path, extra,   s, i) {
	s = "# " path "\n"
	for (i = 1; i <= 120; i++) s = s "line " i " of " path " rev " rev[path] "\n"
	return s extra
}
BEGIN {
	seed = 20240101
	alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	nf = split("config/app.yaml src/server.go src/db.js scripts/deploy.sh README.md .env", files, " ")
	for (c = 1; c <= commits; c++) {
		path = files[(c % nf) + 1]
		rev[path]++
		extra = ""
		kind = int(c / 50) % 4
		if (c % 50 == 0) {
			if (kind == 0) extra = "export GITHUB_TOKEN=" "gh" "p_" tok(alnum, 36) "\n"
			else if (kind == 1) extra = "AWS_ACCESS_KEY_ID=" "AK" "IA" tok(upper, 16) "\n"
			else if (kind == 2) extra = "stripe_key: " "sk_" "live_" tok(alnum, 32) "\n"
			else extra = "password: \"Bench-" tok(alnum, 12) "\"\n"
		}
		ts = 1704067200 + c * 600
		printf "commit refs/heads/main\nmark :%d\n", c
		printf "author Bench <bench@example.com> %d +0000\ncommitter Bench <bench@example.com> %d +0000\n", ts, ts
		msg = "change " path " (" c ")"
		printf "data %d\n%s\n", length(msg), msg
		if (c > 1) printf "from :%d\n", c - 1
		blob(path, body(path, extra))
		print ""
	}
}' | git -C "$hist" fast-import --quiet
git -C "$hist" reset -q --hard main
hist_desc="history $(git -C "$hist" rev-list --count main) commits"
log "$hist_desc"

log "gitleaks git"
measure_median gl-hist 3 "$gitleaks" git "$hist" --no-banner --exit-code 0 --log-level error \
	--report-format json --report-path "$tmp/gl-hist.json"
row "$hist_desc" gitleaks gl-hist "$tmp/gl-hist.json"
if [ -n "$secretctl" ]; then
	log "secretctl scan --git"
	if measure_median sc-hist 3 "$secretctl" scan --git "$hist" --format json --report-path "$tmp/sc-hist.json"; then
		row "$hist_desc" secretctl sc-hist "$tmp/sc-hist.json"
		ratio "$hist_desc" gl-hist sc-hist
		nothing_missed "$hist_desc" "$tmp/gl-hist.json" "$tmp/sc-hist.json" ""
	fi
fi

# --- 3. corpus quality ------------------------------------------------------------------------
log "scoring on testdata/scan/corpus"
cp -a testdata/scan/corpus "$tmp/corpus"
rm "$tmp/corpus/labels.json" # the manifest holds every labelled secret
labels=testdata/scan/corpus/labels.json
"$gitleaks" dir "$tmp/corpus" --no-banner --exit-code 0 --log-level error \
	--report-format json --report-path "$tmp/gl-corpus.json" >/dev/null 2>&1
scores=$("$tmp/scorecmd" -labels "$labels" -root "$tmp/corpus" -report "$tmp/gl-corpus.json" -name "gitleaks (default rules)")
if [ -n "$secretctl" ]; then
	rc=0
	"$secretctl" scan "$tmp/corpus" --no-git-ignore --format json --report-path "$tmp/sc-corpus.json" >/dev/null 2>&1 || rc=$?
	if [ "$rc" -le 1 ] && [ -f "$tmp/sc-corpus.json" ]; then
		scores+=$'\n'$("$tmp/scorecmd" -labels "$labels" -root "$tmp/corpus" -report "$tmp/sc-corpus.json" -name secretctl)
	else
		scores+=$'\n'"secretctl: corpus scan failed (exit $rc)"
	fi
fi

# --- report -----------------------------------------------------------------------------------
echo
echo "secretctl scan vs gitleaks $GITLEAKS_VERSION on $(nproc) cores ($(date -u +%Y-%m-%dT%H:%MZ))"
printf '%-34s %-10s %9s %12s %9s\n' workload tool wall_s peak_rss_MB findings
cat "$results"
echo
echo "$scores"
if [ -s "$tmp/missed.txt" ]; then
	echo
	cat "$tmp/missed.txt"
fi
exit "$missed_fail"
