#!/usr/bin/env bash
# Load benchmark of `aiotsec adm serve` (Nadm_Sec over HTTP/2) with h2load (Debian
# nghttp2-client), on loopback, against getAuthentication. Not a timed test: run it by
# hand and put the figures in the notes (docs/notes/h2.md).
#
#   scripts/bench-h2.sh [BUILD_DIR] [REQUESTS]     (defaults: build, 1000000)
#   env: CLIENTS (8), STREAMS (32 per connection), WORKERS (2), BODY (vector | named)
#
# BODY=vector: the getAuthentication request of nadm-sec-profile0.json (a filter with
# 4 candidates x 3 RAND_AIOT_d: 12 XRES_AIOT per request); BODY=named: one device by
# name, one RAND_AIOT_d (1 XRES_AIOT). The key store is the vectors' six devices.
#
# Bounded: h2load sends exactly REQUESTS requests and everything runs under timeouts
# (10 minutes for the load). Prints requests per second, p50/p99 latency (from
# h2load's per-request log), failed requests, and the server's resident memory after
# a warm-up of 20,000 requests and after the REQUESTS; exit 1 when a request failed or
# the resident memory grew by more than RSS_BOUND_KIB (16384: 16 MiB).
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
N=${2:-1000000}
CLIENTS=${CLIENTS:-8}
STREAMS=${STREAMS:-32}
WORKERS=${WORKERS:-2}
BODY=${BODY:-vector}
RSS_BOUND_KIB=${RSS_BOUND_KIB:-16384}
CLI="$B/aiotsec"
VEC=../shared/vectors/nadm-sec-profile0.json
[ -x "$CLI" ] || { echo "bench-h2: no $CLI (build first)"; exit 2; }
command -v h2load >/dev/null || { echo "bench-h2: h2load missing (Debian nghttp2-client)"; exit 2; }

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then kill -KILL "$server"; fi
  rm -rf "$work"
}
trap cleanup EXIT

/usr/bin/python3 - "$VEC" "$work" "$BODY" <<'PY'
import base64, json, sys
vec, work, kind = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
with open(f"{work}/keys.txt", "w") as f:
    for d in vec["devices"]:
        f.write(f"{base64.b64decode(d['aiotDevPermId']).hex()} {d['kAiotRoot']}\n")
req = vec["getAuthentication"][0]["request"]
if kind == "named":
    req = {"aiotDevPermId": vec["devices"][0]["aiotDevPermId"], "randN": req["randN"],
           "randDlist": req["randDlist"][:1]}
with open(f"{work}/body.json", "w") as f:
    json.dump(req, f)
PY

rss() { awk '/^VmRSS:/ {print $2}' "/proc/$server/status"; }
hwm() { awk '/^VmHWM:/ {print $2}' "/proc/$server/status"; }

"$CLI" adm serve --keys "$work/keys.txt" --listen 127.0.0.1:0 --workers "$WORKERS" --log-level warn \
  --log "$work/adm.log" >"$work/addr" &
server=$!
for _ in $(seq 100); do [ -s "$work/addr" ] && grep -q "ready" "$work/adm.log" 2>/dev/null && break; sleep 0.05; done
addr=$(head -1 "$work/addr")
# "ready" is an info line: with --log-level warn, wait for the first answer instead
for _ in $(seq 100); do
  code=$(curl -s -o /dev/null -w '%{http_code}' --http2-prior-knowledge -X POST "http://$addr/nadm-sec/v1/get-rand" || true)
  [ "$code" = 200 ] && break
  sleep 0.05
done
url="http://$addr/nadm-sec/v1/get-authentication"
h2() { timeout 600 h2load -c "$CLIENTS" -m "$STREAMS" -t 1 -d "$work/body.json" -H 'content-type: application/json' "$@" "$url"; }

h2 -n 20000 >/dev/null
rss0=$(rss)
h2 -n "$N" --log-file="$work/requests.tsv" >"$work/h2load.out"
rss1=$(rss)
hwm1=$(hwm)
kill -TERM "$server"
wait "$server"
rc=$?
server=""

grep -E "finished in|requests:|status codes:|time for request:" "$work/h2load.out"
failed=$(sed -n 's/.* \([0-9]*\) failed, \([0-9]*\) errored, \([0-9]*\) timeout.*/\1 \2 \3/p' "$work/h2load.out")
rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' "$work/h2load.out")
read -r p50 p99 < <(cut -f3 "$work/requests.tsv" | sort -n |
  awk '{v[NR] = $1} END {i = int(NR * 0.50); j = int(NR * 0.99); if (i < 1) i = 1; if (j < 1) j = 1; print v[i], v[j]}')
echo "---"
echo "bench-h2: $N getAuthentication ($BODY body), $CLIENTS connections x $STREAMS streams, $WORKERS workers"
echo "bench-h2: $rps requests/s; latency p50 ${p50} us, p99 ${p99} us (request sent -> response complete)"
echo "bench-h2: failed/errored/timeout: $failed"
echo "bench-h2: server RSS after warm-up ${rss0} KiB, after $N requests ${rss1} KiB (growth $((rss1 - rss0)) KiB, bound ${RSS_BOUND_KIB} KiB); peak ${hwm1} KiB"
echo "bench-h2: server exit status after SIGTERM: $rc"
[ "$failed" = "0 0 0" ] && [ $((rss1 - rss0)) -le "$RSS_BOUND_KIB" ] && [ "$rc" = 0 ]
