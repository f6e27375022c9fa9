#!/usr/bin/env bash
# The team journal's cost (issue 25), in one run against one `bokuctl
# sandbox serve`:
#   - journal overhead per charge: the median wall time of RUNS single
#     charges with --no-journal, on the SQLite journal and on PostgreSQL
#     (interleaved), and their ratios to --no-journal;
#   - batch rows/s: `batch charge` of ROWS rows at concurrency 8 on SQLite
#     and on PostgreSQL, PAIRS times alternated (target: PostgreSQL >= 80 %
#     of SQLite; the median of the pairs' ratios).
# PostgreSQL comes from the PG* variables; without PGHOST the script runs
# itself under pg_virtualenv (Debian's postgresql-common) when it can.
# Usage: bash bench/journal_team.sh [runs] [rows] [pairs]   (default 30 2000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PGHOST:-}" ]; then
  if command -v pg_virtualenv >/dev/null 2>&1; then
    exec pg_virtualenv -t -- bash "$0" "$@"
  fi
  echo "needs PostgreSQL: set PG* (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) or install pg_virtualenv" >&2
  exit 1
fi
runs=${1:-30}
rows=${2:-2000}
pairs=${3:-3}
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/bokuctl" .
export HOME="$tmp/home" XDG_STATE_HOME="$tmp/state" BOKUCTL_CONFIG="$tmp/config.yaml" BOKUCTL_KEYRING_FILE="$tmp/secrets.json"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/no-bus" NO_COLOR=1
db="bokuctl_bench_$$"
psql -q -d "${PGDATABASE:-postgres}" -c "CREATE DATABASE $db" >/dev/null
pg="postgres://${PGUSER:-postgres}@${PGHOST}:${PGPORT:-5432}/$db"
sqlite="$tmp/journal.db"
"$tmp/bokuctl" sandbox serve --ready-file "$tmp/ready" >/dev/null 2>&1 &
server=$!
while [ ! -s "$tmp/ready" ]; do sleep 0.05; done
b() { "$tmp/bokuctl" -p sandbox "$@"; }
url=$(b optin begin --payment-method superwallet --forward-url https://shop.example/done --jq .optin_url 2>/dev/null)
curl -s -o /dev/null "$url"
b optin validate oi-000001 >/dev/null 2>&1
b optin confirm oi-000001 >/dev/null 2>&1
# Each journal once before timing: its schema is created then, not in a
# timed charge.
BOKUCTL_JOURNAL=$sqlite b journal list >/dev/null 2>&1
BOKUCTL_JOURNAL=$pg b journal list >/dev/null 2>&1

median() { sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f", m / 1000}'; }

# charge JOURNAL: one charge's wall time in microseconds (none: --no-journal).
charge() {
  local journal=$1 start end
  start=$(date +%s%N)
  if [ "$journal" = none ]; then
    b charge --optin-id oi-000001 --amount 0.01 --currency GBP --no-journal >/dev/null 2>&1
  else
    BOKUCTL_JOURNAL=$journal b charge --optin-id oi-000001 --amount 0.01 --currency GBP >/dev/null 2>&1
  fi
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
}

batch_rate() { # journal, tag: prints rows/s
  local journal=$1 tag=$2
  for i in $(seq "$rows"); do
    printf '{"optin_id":"oi-000001","amount":"0.01","currency":"GBP","merchant_request_id":"%s-%d"}\n' "$tag" "$i"
  done >"$tmp/$tag.jsonl"
  local start end
  start=$(date +%s%N)
  BOKUCTL_JOURNAL=$journal b batch charge "$tmp/$tag.jsonl" --concurrency 8 --yes -o json >/dev/null 2>"$tmp/$tag.err" || { cat "$tmp/$tag.err" >&2; exit 1; }
  end=$(date +%s%N)
  awk -v n="$rows" -v us=$(( (end - start) / 1000 )) 'BEGIN {printf "%.0f", n / (us / 1e6)}'
}

# Interleaved, so that the three see the same load.
for i in $(seq "$runs"); do
  echo "none $(charge none)"
  echo "sqlite $(charge "$sqlite")"
  echo "postgres $(charge "$pg")"
done >"$tmp/times"
none=$(awk '$1 == "none" {print $2}' "$tmp/times" | median)
lite=$(awk '$1 == "sqlite" {print $2}' "$tmp/times" | median)
post=$(awk '$1 == "postgres" {print $2}' "$tmp/times" | median)
printf 'charges per variant:           %d\n' "$runs"
awk -v n="$none" -v s="$lite" -v p="$post" 'BEGIN {
  printf "--no-journal, median:          %7.2f ms\n", n
  printf "SQLite journal, median:        %7.2f ms  (%.2fx --no-journal)\n", s, s / n
  printf "PostgreSQL journal, median:    %7.2f ms  (%.2fx --no-journal, %.2fx SQLite)\n", p, p / n, p / s
}'
# PAIRS batches on each engine, alternated (SQLite, PostgreSQL, SQLite…),
# each pair's ratio measured under the same load; the medians.
printf 'batch charge, %d rows, concurrency 8, %d pairs:\n' "$rows" "$pairs"
for i in $(seq "$pairs"); do
  rl=$(batch_rate "$sqlite" "lite$i")
  rp=$(batch_rate "$pg" "post$i")
  echo "$rl $rp"
  awk -v l="$rl" -v p="$rp" -v i="$i" 'BEGIN {printf "  pair %d:  SQLite %6d rows/s, PostgreSQL %6d rows/s (%.0f %%)\n", i, l, p, 100 * p / l}' >&2
done 2>&1 >"$tmp/rates" | cat
awk '{print $1}' "$tmp/rates" | sort -n >"$tmp/l"
awk '{print $2}' "$tmp/rates" | sort -n >"$tmp/p"
awk '{printf "%.4f\n", $2 / $1}' "$tmp/rates" | sort -n >"$tmp/r"
mid=$(( (pairs + 1) / 2 ))
awk -v l="$(sed -n "${mid}p" "$tmp/l")" -v p="$(sed -n "${mid}p" "$tmp/p")" -v r="$(sed -n "${mid}p" "$tmp/r")" 'BEGIN {
  printf "  SQLite, median:      %6d rows/s\n", l
  printf "  PostgreSQL, median:  %6d rows/s  (median ratio %.0f %% of SQLite; target >= 80 %%)\n", p, 100 * r
}'
psql -q -d "${PGDATABASE:-postgres}" -c "DROP DATABASE $db" >/dev/null 2>&1 || true
