#!/usr/bin/env bash
# Reliability figures for the money lifecycle, against one `bokuctl
# sandbox serve`:
#   1. KILLS times: a batch charge of ROWS rows (concurrency 8) killed with
#      kill -9 at a random moment, then `batch resume`; afterwards every row
#      must have exactly one charge at the provider (looked up by its own
#      merchant transaction id, which lists every charge that has it).
#   2. TRIALS times: two runs of the same 2-row file started at once; every
#      row must be charged exactly once.
# Prints rows, lost rows (no charge), double charges (two or more) and
# how the second run of each pair ended.
# Usage: bash bench/lifecycle.sh [kills] [rows] [trials]   (default 30 200 40)
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-30}
rows=${2:-200}
trials=${3:-40}
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/bokuctl" .
export HOME="$tmp/home" XDG_STATE_HOME="$tmp/state" BOKUCTL_CONFIG="$tmp/config.yaml" BOKUCTL_KEYRING_FILE="$tmp/secrets.json"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/no-bus" NO_COLOR=1
"$tmp/bokuctl" sandbox serve --ready-file "$tmp/ready" >/dev/null 2>&1 &
server=$!
while [ ! -s "$tmp/ready" ]; do sleep 0.05; done
b() { "$tmp/bokuctl" -p sandbox "$@"; }
url=$(b optin begin --payment-method superwallet --forward-url https://shop.example/done --jq .optin_url 2>/dev/null)
curl -s -o /dev/null "$url"
b optin validate oi-000001 >/dev/null 2>&1
b optin confirm oi-000001 >/dev/null 2>&1

# count_charges TXID: how many charges Boku has with that transaction id.
# (It prints the list, then exits 2 when the list is empty: take the first
# line only.)
count_charges() {
  local n
  n=$(b charge status --merchant-transaction-id "$1" --jq '.charges | length' 2>/dev/null | head -1)
  echo "${n:-0}"
}

lost=0 double=0 total=0 unresumed=0
for k in $(seq "$kills"); do
  file="$tmp/kill-$k.csv"
  echo optin_id,amount,currency,merchant_transaction_id > "$file"
  for i in $(seq "$rows"); do echo "oi-000001,0.01,GBP,k$k-r$i"; done >> "$file"
  b batch charge "$file" --concurrency 8 --yes >/dev/null 2>&1 &
  run=$!
  sleep "0.$(( (RANDOM % 25) + 3 ))"
  kill -KILL "$run" 2>/dev/null || true
  wait "$run" 2>/dev/null || true
  batch=$(b journal list --since 1h -o json --jq '[.entries[] | select(.batch)] | last | .batch // empty' 2>/dev/null)
  # the newest batch is this one: resume it (a run killed before its
  # batch was recorded sent nothing and is run again as a fresh file)
  if [ -n "$batch" ] && b batch resume "$batch" --concurrency 8 --yes >/dev/null 2>&1; then :; else
    b batch charge "$file" --concurrency 8 --yes --resume >/dev/null 2>&1 || b batch charge "$file" --concurrency 8 --yes >/dev/null 2>&1 || unresumed=$((unresumed + 1))
  fi
  for i in $(seq "$rows"); do
    n=$(count_charges "k$k-r$i")
    total=$((total + 1))
    [ "$n" = 0 ] && lost=$((lost + 1))
    [ "$n" -gt 1 ] && double=$((double + 1))
  done
done
echo "kill -9 then resume: $kills runs x $rows rows = $total rows; lost $lost; charged twice $double; runs not resumable $unresumed"

refused=0 pairdouble=0 pairlost=0
for t in $(seq "$trials"); do
  file="$tmp/pair-$t.csv"
  printf 'optin_id,amount,currency,merchant_transaction_id\noi-000001,0.01,GBP,p%s-1\noi-000001,0.01,GBP,p%s-2\n' "$t" "$t" > "$file"
  b batch charge "$file" --yes >/dev/null 2>"$tmp/a.err" & a=$!
  b batch charge "$file" --yes >/dev/null 2>"$tmp/b.err" & c=$!
  wait "$a" || true
  wait "$c" || true
  grep -qE 'is running now|already ran as batch' "$tmp/a.err" "$tmp/b.err" && refused=$((refused + 1))
  for i in 1 2; do
    n=$(count_charges "p$t-$i")
    [ "$n" -gt 1 ] && pairdouble=$((pairdouble + 1))
    [ "$n" = 0 ] && pairlost=$((pairlost + 1))
  done
done
echo "two runs of one file at once: $trials trials; second run refused $refused; rows charged twice $pairdouble; rows lost $pairlost"
