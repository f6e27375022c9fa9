#!/usr/bin/env bash
# Measures what the journal costs one charge: the median wall and CPU time
# of 30 charges against `bokuctl sandbox serve`, journaled and with
# --no-journal, measured in the same run, and their ratio.
# Usage: bash bench/journal.sh [runs]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/bokuctl" .
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

measure() { # label, extra flags…
  local label=$1; shift
  local walls=() cpus=()
  for i in $(seq "$runs"); do
    local start end usage
    start=$(date +%s%N)
    usage=$( { time b charge --optin-id oi-000001 --amount 0.01 --currency GBP "$@" >/dev/null 2>&1; } 2>&1 )
    end=$(date +%s%N)
    walls+=($(( (end - start) / 1000 )))
    cpus+=($(echo "$usage" | awk '{printf "%d", ($1 + $2) * 1000000}'))
  done
  local wall cpu
  wall=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  echo "$label $wall $cpu"
}
TIMEFORMAT='%U %S'
read -r _ wall_off cpu_off < <(measure off --no-journal)
read -r _ wall_on cpu_on < <(measure on)
printf 'charges per variant:       %d\n' "$runs"
awk -v wo="$wall_off" -v co="$cpu_off" -v wn="$wall_on" -v cn="$cpu_on" 'BEGIN {
  printf "no journal, median:        %6.2f ms wall, %6.2f ms CPU\n", wo / 1000, co / 1000
  printf "journaled, median:         %6.2f ms wall, %6.2f ms CPU\n", wn / 1000, cn / 1000
  printf "ratio (journaled/none):    %.2fx wall, %.2fx CPU\n", wn / wo, (co > 0 ? cn / co : 0)
}'
