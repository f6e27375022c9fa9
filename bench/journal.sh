#!/usr/bin/env bash
# Measures what the journal costs one charge: the median wall and CPU time
# of 30 charges against `bokuctl sandbox serve`, journaled and with
# --no-journal, measured in the same run (interleaved), and their ratio;
# with strace installed, the syncs to disk (fsync, fdatasync) per charge.
# Usage: bash bench/journal.sh [runs]   (default 30)
# With BASE=REV (a commit), the build of REV is measured in the same run,
# interleaved with this tree's (each journaled variant with its own
# journal): the ratio of both, under the same load.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/bokuctl" .
if [ -n "${BASE:-}" ]; then
  mkdir "$tmp/base"
  git archive "$BASE" | tar -x -C "$tmp/base"
  (cd "$tmp/base" && CGO_ENABLED=0 go build -o "$tmp/bokuctl-base" .)
fi
export HOME="$tmp/home" XDG_STATE_HOME="$tmp/state" BOKUCTL_CONFIG="$tmp/config.yaml" BOKUCTL_KEYRING_FILE="$tmp/secrets.json"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/no-bus"
"$tmp/bokuctl" sandbox serve --ready-file "$tmp/ready" >/dev/null 2>&1 &
server=$!
while [ ! -s "$tmp/ready" ]; do sleep 0.05; done
b() { "$tmp/bokuctl" -p sandbox "$@"; }
url=$(b optin begin --payment-method superwallet --forward-url https://shop.example/done --jq .optin_url 2>/dev/null)
curl -s -o /dev/null "$url"
b optin validate oi-000001 >/dev/null 2>&1
b optin confirm oi-000001 >/dev/null 2>&1

# One charge, its wall and CPU time in microseconds: label wall cpu.
one() { # label, binary, extra flags…
  local label=$1 bin=$2; shift 2
  local start end usage
  start=$(date +%s%N)
  usage=$( { time "$bin" -p sandbox charge --optin-id oi-000001 --amount 0.01 --currency GBP "$@" >/dev/null 2>&1; } 2>&1 )
  end=$(date +%s%N)
  echo "$label $(( (end - start) / 1000 )) $(echo "$usage" | awk '{printf "%d", ($1 + $2) * 1000000}')"
}
median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }
TIMEFORMAT='%U %S'
# Interleaved, so that every variant sees the same load: off, on, off, on…
for i in $(seq "$runs"); do
  one off "$tmp/bokuctl" --no-journal
  one on "$tmp/bokuctl"
  if [ -n "${BASE:-}" ]; then
    one base-off "$tmp/bokuctl-base" --no-journal
    BOKUCTL_JOURNAL="$tmp/base.db" one base-on "$tmp/bokuctl-base"
  fi
done >"$tmp/times"
report() { # prefix of the labels, title
  local wall_off cpu_off wall_on cpu_on
  wall_off=$(awk -v l="$1off" '$1 == l {print $2}' "$tmp/times" | median)
  cpu_off=$(awk -v l="$1off" '$1 == l {print $3}' "$tmp/times" | median)
  wall_on=$(awk -v l="$1on" '$1 == l {print $2}' "$tmp/times" | median)
  cpu_on=$(awk -v l="$1on" '$1 == l {print $3}' "$tmp/times" | median)
  [ -n "$2" ] && echo "$2"
  awk -v wo="$wall_off" -v co="$cpu_off" -v wn="$wall_on" -v cn="$cpu_on" 'BEGIN {
    printf "no journal, median:        %6.2f ms wall, %6.2f ms CPU\n", wo / 1000, co / 1000
    printf "journaled, median:         %6.2f ms wall, %6.2f ms CPU\n", wn / 1000, cn / 1000
    printf "ratio (journaled/none):    %.2fx wall, %.2fx CPU\n", wn / wo, (co > 0 ? cn / co : 0)
  }'
}
printf 'charges per variant:       %d\n' "$runs"
if [ -n "${BASE:-}" ]; then
  report "" "this tree:"
  report base- "BASE $BASE:"
else
  report "" ""
fi
if command -v strace >/dev/null 2>&1; then
  syncs=0
  for i in $(seq 20); do
    strace -f -e trace=fsync,fdatasync -o "$tmp/strace" "$tmp/bokuctl" -p sandbox charge --optin-id oi-000001 --amount 0.01 --currency GBP >/dev/null 2>&1
    syncs=$((syncs + $(grep -c 'sync(' "$tmp/strace")))
  done
  awk -v n="$syncs" 'BEGIN {printf "syncs per journaled charge: %.2f (mean of 20)\n", n / 20}'
fi
