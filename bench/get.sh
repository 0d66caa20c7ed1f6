#!/usr/bin/env bash
# Median latency of `secretctl get` (process start included) on the local
# backend, and against kumo beside the AWS CLI doing the same read against
# the same endpoint, as a ratio. Usage: bench/get.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
tmp=$(mktemp -d)
trap 'kill ${kumo_pid:-} 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -trimpath -o "$tmp/secretctl" ./cmd/secretctl
go build -o "$tmp/kumoserve" ./internal/tools/kumoserve
if ! command -v aws >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli >/dev/null) || true
fi

export SECRETCTL_HOME="$tmp/home"
printf 'bench-value-%s' "$RANDOM" | "$tmp/secretctl" create bench/get 2>/dev/null

mkfifo "$tmp/kumo-in"
"$tmp/kumoserve" < "$tmp/kumo-in" > "$tmp/kumo-url" &
kumo_pid=$!
exec 9> "$tmp/kumo-in"
for _ in $(seq 1 50); do [ -s "$tmp/kumo-url" ] && break; sleep 0.1; done
url=$(head -1 "$tmp/kumo-url")
export AWS_ACCESS_KEY_ID=AKIDBENCH AWS_SECRET_ACCESS_KEY=bench AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_PAGER=""
printf 'bench-value' | "$tmp/secretctl" --backend aws --endpoint-url "$url" create "bench/get-$$" 2>/dev/null

python3 - "$runs" "$tmp/secretctl" "$url" "bench/get-$$" <<'PY'
import statistics, subprocess, sys, time, shutil
runs, bin, url, name = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
def median_ms(cmd):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)  # warm-up
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts)
local = median_ms([bin, "get", "bench/get"])
print(f"secretctl get, local backend:        median {local:7.1f} ms over {runs} runs")
sc = median_ms([bin, "--backend", "aws", "--endpoint-url", url, "get", name])
print(f"secretctl get, AWS backend on kumo:  median {sc:7.1f} ms")
aws = "/usr/bin/aws" if shutil.os.path.exists("/usr/bin/aws") else shutil.which("aws")  # Debian awscli first
if aws:
    ver = subprocess.run([aws, "--version"], capture_output=True, text=True).stdout.strip() or "aws"
    a = median_ms([aws, "secretsmanager", "get-secret-value", "--endpoint-url", url, "--secret-id", name, "--query", "SecretString", "--output", "text"])
    print(f"aws secretsmanager get-secret-value: median {a:7.1f} ms ({ver.split()[0]})")
    print(f"ratio secretctl/aws-cli on kumo:     {sc/a:.3f}  (below 1 means secretctl is faster)")
else:
    print("aws CLI not installed: ratio not measured")
PY
