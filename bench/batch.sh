#!/usr/bin/env bash
# Batch throughput against one `bokuctl sandbox serve`, in one run:
#   - a shell loop of single `bokuctl refund` calls (the baseline),
#   - the in-process limit (bench/inproc): the same refunds sent with
#     pkg/bokudirect's client from one process, at each concurrency,
#   - `bokuctl batch refund` of ROWS rows at concurrency 1, 4, 8 and 16,
# printing rows/s for each, the fraction of the in-process limit at the
# same concurrency (measured just before it) and the ratio to the loop;
# then the peak RSS of the batch process (/usr/bin/time -v) at ROWS and
# LIVE rows sent, and at BIG rows with --dry-run (the whole file is read
# and checked; nothing is sent). A size of 0 skips that RSS figure.
# COMPARE="label=path/to/bokuctl …" also runs those binaries' batch at
# each concurrency in the same run (before/after figures); BEFORE=path is
# COMPARE="before=path".
# Usage: bash bench/batch.sh [loop_calls] [rows] [big_rows] [live_rows]
#        (default 500 10000 1000000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
loop=${1:-500}
rows=${2:-10000}
big=${3:-1000000}
live=${4:-100000}
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/bokuctl" .
go build -o "$tmp/inproc" ./bench/inproc
export HOME="$tmp/home" XDG_STATE_HOME="$tmp/state" BOKUCTL_CONFIG="$tmp/config.yaml" BOKUCTL_KEYRING_FILE="$tmp/secrets.json"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/no-bus" NO_COLOR=1
"$tmp/bokuctl" sandbox serve --state "$tmp/sandbox.json" --ready-file "$tmp/ready" >/dev/null 2>&1 &
server=$!
while [ ! -s "$tmp/ready" ]; do sleep 0.05; done
b() { "$tmp/bokuctl" -p sandbox "$@"; }
url=$(b optin begin --payment-method superwallet --forward-url https://shop.example/done --jq .optin_url 2>/dev/null)
curl -s -o /dev/null "$url"
b optin validate oi-000001 >/dev/null 2>&1
b optin confirm oi-000001 >/dev/null 2>&1

# 200 charges of 999.99 GBP to refund from: each takes 99,999 refunds of 0.01.
{
  echo "optin_id,amount,currency"
  for _ in $(seq 200); do echo "oi-000001,999.99,GBP"; done
} >"$tmp/charges.csv"
b batch charge "$tmp/charges.csv" --yes -o json 2>/dev/null | sed -E 's/.*"id":"(ch-[0-9]+)".*/\1/' >"$tmp/charge-ids"
base=$(cat "$tmp/ready")
mapfile -t charges <"$tmp/charge-ids"
n=${#charges[@]}

refunds() { # count, file
  {
    echo "charge_id,amount,currency,reason"
    for ((i = 0; i < $1; i++)); do echo "${charges[i % n]},0.01,GBP,goodwill"; done
  } >"$2"
}
now() { date +%s%N; }
rate() { awk -v n="$1" -v ns="$2" 'BEGIN { printf "%.0f", n / (ns / 1e9) }'; }

start=$(now)
for ((i = 0; i < loop; i++)); do
  b refund "${charges[i % n]}" --amount 0.01 --currency GBP --reason goodwill >/dev/null 2>&1
done
loop_rate=$(rate "$loop" $(( $(now) - start )))
echo "shell loop, $loop single refunds:          $loop_rate rows/s"

refunds "$rows" "$tmp/refunds.csv"
batch() { # label, binary, concurrency, limit
  local start elapsed r
  start=$(now)
  "$2" -p sandbox batch refund "$tmp/refunds.csv" --new --yes --concurrency "$3" -o json >/dev/null 2>"$tmp/err"
  elapsed=$(( $(now) - start ))
  grep -q "$rows rows: $rows ok" "$tmp/err" || { echo "$1 batch at concurrency $3 did not succeed:"; tail -3 "$tmp/err"; exit 1; }
  r=$(rate "$rows" "$elapsed")
  printf '%-7s batch refund, %s rows, concurrency %2s: %6s rows/s, %3.0f%% of the limit, %.1fx the loop\n' "$1" "$rows" "$3" "$r" \
    "$(awk -v a="$r" -v b="$4" 'BEGIN { print 100 * a / b }')" "$(awk -v a="$r" -v b="$loop_rate" 'BEGIN { print a / b }')"
}
for c in 1 4 8 16; do
  limit=$("$tmp/inproc" -url "$base" -charges "$tmp/charge-ids" -rows "$rows" -c "$c" | awk '{ print $2 }')
  echo "in-process limit, $rows refunds, concurrency $c: $limit rows/s"
  batch this "$tmp/bokuctl" "$c" "$limit"
  for other in ${COMPARE:-${BEFORE:+before=$BEFORE}}; do batch "${other%%=*}" "${other#*=}" "$c" "$limit"; done
done

rss() { # label, args…
  local label=$1; shift
  /usr/bin/time -v "$tmp/bokuctl" -p sandbox "$@" >/dev/null 2>"$tmp/time" || true
  echo "$label $(awk -F': ' '/Maximum resident set size/ { printf "%.1f MB", $2 / 1024 }' "$tmp/time")"
}
rss "peak RSS, batch refund of $rows rows (live, concurrency 8):" batch refund "$tmp/refunds.csv" --new --yes --concurrency 8 -o json
if [ "$live" -gt 0 ]; then
  refunds "$live" "$tmp/live.csv"
  rss "peak RSS, batch refund of $live rows (live, concurrency 8):" batch refund "$tmp/live.csv" --yes --concurrency 8 -o json
fi
if [ "$big" -gt 0 ]; then
  refunds "$big" "$tmp/big.csv"
  rss "peak RSS, batch refund of $big rows (--dry-run):" batch refund "$tmp/big.csv" --dry-run
fi
