#!/usr/bin/env bash
# Wall time of `make demo` from a fresh clone to the first served page.
# Usage: bench/demo_time.sh [port]   (clones the committed HEAD into a temporary directory)
set -euo pipefail
port="${1:-8765}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'kill -- -$pid 2>/dev/null || true; rm -rf "$work"' EXIT
git clone -q "$repo" "$work/onewindow"
cd "$work/onewindow"
start=$(date +%s.%N)
set -m
make demo PORT="$port" > "$work/demo.log" 2>&1 &
pid=$!
set +m
for _ in $(seq 1 1200); do
  if curl -fs -o /dev/null "http://127.0.0.1:$port/"; then
    end=$(date +%s.%N)
    printf 'make demo, fresh clone to first page: %.1f s\n' "$(echo "$end - $start" | bc)"
    grep -c "密码" "$work/demo.log" | xargs printf 'demo logins printed: %s\n'
    exit 0
  fi
  sleep 0.5
done
echo "no page after 600 s; log:" >&2
tail -n 30 "$work/demo.log" >&2
exit 1
