#!/usr/bin/env bash
# Median latency of `secretctl exec` injecting 20 secrets into /bin/true
# (process start and the child included): on the local backend, on kumo
# through the AWS backend, and, when this build has `serve`, on serve, whose
# BatchGetSecretValue lets the AWS CLI read the same 20 secrets in one call.
# chamber v3 does not build from the module proxy here (403), so the peer
# is `aws secretsmanager batch-get-secret-value` (and, on kumo, which lacks
# BatchGetSecretValue, 20 `get-secret-value` runs). Usage: bench/exec.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
n=20
tmp=$(mktemp -d)
trap 'kill ${kumo_pid:-} ${serve_pid:-} 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -trimpath -o "$tmp/secretctl" ./cmd/secretctl
go build -o "$tmp/kumoserve" ./internal/tools/kumoserve
sc="$tmp/secretctl"
export SECRETCTL_HOME="$tmp/home"
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""

if timeout 120 go install github.com/segmentio/chamber/v3@latest >/dev/null 2>&1; then
  echo "note: chamber built; this script still compares against the AWS CLI (chamber exec reads SSM, not Secrets Manager)"
fi

ids=()
for i in $(seq -w 1 $n); do
  printf '{"KEY_%s":"bench-value-%s-%s"}' "$i" "$i" "$RANDOM" | "$sc" create "bench/exec/s$i" >/dev/null 2>&1
  ids+=("bench/exec/s$i")
done

mkfifo "$tmp/kumo-in"
"$tmp/kumoserve" < "$tmp/kumo-in" > "$tmp/kumo-url" &
kumo_pid=$!
exec 9> "$tmp/kumo-in"
for _ in $(seq 1 50); do [ -s "$tmp/kumo-url" ] && break; sleep 0.1; done
kumo=$(head -1 "$tmp/kumo-url")
for i in $(seq -w 1 $n); do
  printf '{"KEY_%s":"bench-value-%s"}' "$i" "$i" | AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench \
    "$sc" --backend aws --endpoint-url "$kumo" create "bench/exec/s$i" >/dev/null 2>&1
done

serve=""
if "$sc" serve --help 2>/dev/null | grep -q -- "--addr"; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export SECRETCTL_SERVE_ACCESS_KEY_ID=AKIDSERVEBENCH SECRETCTL_SERVE_SECRET_ACCESS_KEY=servebench
  "$sc" serve --addr "127.0.0.1:$port" >/dev/null 2>"$tmp/serve.err" &
  serve_pid=$!
  for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  serve="http://127.0.0.1:$port"
fi

python3 - "$runs" "$sc" "$kumo" "$serve" "${ids[@]}" <<'PY'
import os, shutil, statistics, subprocess, sys, time
runs, sc, kumo, serve, ids = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
secrets = [a for i in ids for a in ("--secret", i)]
def median_ms(cmd, env=None, n=runs):
    e = dict(os.environ, **(env or {}))
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=e)  # warm-up
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True, env=e)
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts)
def line(label, ms, extra=""):
    print(f"{label:<58} median {ms:8.1f} ms{extra}")
print(f"{len(ids)} secrets, {runs} runs each; process start and /bin/true included")
local = median_ms([sc, "exec", *secrets, "--", "/bin/true"])
line("secretctl exec, local backend (one transaction)", local)
line("secretctl exec --secret bench/exec/ (List + one transaction)", median_ms([sc, "exec", "--secret", "bench/exec/", "--", "/bin/true"]))
line("secretctl get x1, local backend (for scale)", median_ms([sc, "get", ids[0]]))
kenv = {"AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "bench"}
k = median_ms([sc, "--backend", "aws", "--endpoint-url", kumo, "exec", *secrets, "--", "/bin/true"], kenv)
line("secretctl exec, AWS backend on kumo (GetSecretValue x20)", k)
aws = "/usr/bin/aws" if os.path.exists("/usr/bin/aws") else shutil.which("aws")
if not aws:
    print("aws CLI not installed: ratios not measured"); sys.exit(0)
ver = (subprocess.run([aws, "--version"], capture_output=True, text=True).stdout.strip() or "aws").split()[0]
def aws_gets(endpoint, env):
    e = dict(os.environ, **env)
    t = time.perf_counter()
    for i in ids:
        subprocess.run([aws, "secretsmanager", "get-secret-value", "--endpoint-url", endpoint, "--secret-id", i, "--query", "SecretString", "--output", "text"], stdout=subprocess.DEVNULL, check=True, env=e)
    return (time.perf_counter() - t) * 1000
few = max(3, runs // 5)
ag = statistics.median(aws_gets(kumo, kenv) for _ in range(few))
line(f"aws get-secret-value x20 on kumo ({ver}, {few} runs)", ag)
print(f"ratio secretctl exec / aws CLI x20 on kumo:                 {k/ag:.3f}  (below 1: secretctl is faster)")
if serve:
    senv = {"AWS_ACCESS_KEY_ID": os.environ["SECRETCTL_SERVE_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY": os.environ["SECRETCTL_SERVE_SECRET_ACCESS_KEY"]}
    s = median_ms([sc, "--backend", "aws", "--endpoint-url", serve, "exec", *secrets, "--", "/bin/true"], senv)
    line("secretctl exec, AWS backend on serve (BatchGetSecretValue)", s)
    b = median_ms([aws, "secretsmanager", "batch-get-secret-value", "--endpoint-url", serve, "--secret-id-list", *ids], senv)
    line(f"aws secretsmanager batch-get-secret-value on serve ({ver})", b)
    print(f"ratio secretctl exec / aws batch-get-secret-value on serve: {s/b:.3f}  (below 1: secretctl is faster)")
else:
    print("this build has no `serve`: the BatchGetSecretValue comparison is not measured (kumo lacks the call)")
PY
