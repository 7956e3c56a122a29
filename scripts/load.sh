#!/usr/bin/env bash
# make load: serve Infuse with the demo workspace on a free loopback port, run the Locust
# scenario for a bounded time with 50 simulated users, print the figures, and stop everything.
set -euo pipefail

BIN=${BIN:-.venv/bin}
USERS=${LOAD_USERS:-50}
DURATION=${LOAD_DURATION:-60s}
workdir=$(mktemp -d /tmp/infuse-load.XXXXXX)
export INFUSE_DATA_DIR="$workdir/data"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

"$BIN/infuse" init >/dev/null 2>&1
"$BIN/infuse" demo >/dev/null 2>&1
"$BIN/infuse" run --host 127.0.0.1 --port "$port" --workers "${LOAD_WORKERS:-3}" >"$workdir/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$workdir"; }
trap cleanup EXIT

for _ in $(seq 1 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/en/" && break
  sleep 0.5
done

"$BIN/locust" -f loadtest/locustfile.py --headless --host "http://127.0.0.1:$port" \
  --users "$USERS" --spawn-rate 10 --run-time "$DURATION" --stop-timeout 5 \
  --csv "$workdir/stats" --only-summary >"$workdir/locust.log" 2>&1 || true

"$BIN/python" - "$workdir/stats_stats.csv" "$workdir/stats_failures.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for failure in csv.DictReader(open(sys.argv[2])):
    print(f"failure: {failure['Method']} {failure['Name']}: {failure['Error']} x{failure['Occurrences']}")
total = next(r for r in rows if r["Name"] == "Aggregated")
print(f"{'request':<22}{'count':>8}{'fail':>6}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
for r in rows:
    print(f"{r['Name'][:21]:<22}{r['Request Count']:>8}{r['Failure Count']:>6}{r['50%']:>8}{r['95%']:>8}{r['99%']:>8}")
print(f"\nrequests/s {float(total['Requests/s']):.1f}  p50 {total['50%']} ms  p95 {total['95%']} ms"
      f"  p99 {total['99%']} ms  errors {total['Failure Count']} of {total['Request Count']}")
PY
