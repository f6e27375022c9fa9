#!/usr/bin/env bash
# listen throughput and memory, in one run on this machine:
#   - notifications/s of `bokuctl listen` (signature checked, printed with
#     -o json to /dev/null, recorded in its seen file beside the journal)
#     at concurrency 1, 4 and 16, against a bare Go HTTP server
#     (bench/bare: reads the body, answers the acknowledgement) measured
#     just before it at the same concurrency, and the ratio;
#   - then RSS (VmRSS, and the peak VmHWM) of the listener after every
#     STEP more notifications, up to MEM in all (flat means bounded).
# Every notification has its own refund id (bench/notifyload signs them
# with the sandbox key). COMPARE="label=path/to/bokuctl …" also measures
# those binaries' listen rates in the same run (not their memory).
# Each rate line also gives the server's CPU time per notification (user
# + system, summed over its threads from /proc/PID/task/*/schedstat), which
# the machine's other load disturbs less than the rate; the client
# (notifyload) and the server share the machine's cores, so a server's CPU
# per notification is what its rate pays for.
# The servers take turns in ROUNDS rounds (default 3) at each concurrency.
# Usage: bash bench/listen.sh [per_concurrency] [mem_total] [step]
#        (default 3000 100000 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
mem=${2:-100000}
step=${3:-20000}
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/bokuctl" .
go build -o "$tmp/notifyload" ./bench/notifyload
go build -o "$tmp/bare" ./bench/bare
export HOME="$tmp/home" XDG_STATE_HOME="$tmp/state" BOKUCTL_CONFIG="$tmp/config.yaml" BOKUCTL_KEYRING_FILE="$tmp/secrets.json"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/no-bus" NO_COLOR=1
# The sandbox writes the profile "sandbox" (its key is built in).
"$tmp/bokuctl" sandbox serve --ready-file "$tmp/ready" >/dev/null 2>&1 &
pids+=($!)
while [ ! -s "$tmp/ready" ]; do sleep 0.05; done

wait_file() { while [ ! -s "$1" ]; do sleep 0.05; done; }
start_listen() { # binary, name → sets lpid, lurl
  rm -f "$tmp/$2.url"
  "$1" -p sandbox listen --addr 127.0.0.1:0 --url-file "$tmp/$2.url" --seen-file "$tmp/$2-seen.json" -o json >/dev/null 2>"$tmp/$2.err" &
  lpid=$!
  pids+=($lpid)
  wait_file "$tmp/$2.url"
  lurl=$(cat "$tmp/$2.url")
}
"$tmp/bare" "$tmp/bare.url" &
bare_pid=$!
pids+=($!)
wait_file "$tmp/bare.url"
bare_url=$(cat "$tmp/bare.url")

binaries=("this=$tmp/bokuctl")
for other in ${COMPARE:-}; do binaries+=("$other"); done
declare -A urls lpids
for b in "${binaries[@]}"; do
  start_listen "${b#*=}" "${b%%=*}"
  urls[${b%%=*}]=$lurl
  lpids[${b%%=*}]=$lpid
done
# cpu_ns PID: CPU time of all its threads so far, in nanoseconds (%.0f: mawk's %d stops at 2^31 ns, 2.1 s).
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { printf "%.0f", s }'; }
# The servers take turns: ROUNDS rounds (default 3) of n/ROUNDS
# notifications each, bare first, so that a change in the machine's other
# load falls on all of them alike; a rate is all the notifications over
# all the time taken.
rounds=${ROUNDS:-3}
per=$((n / rounds))
declare -A secs cpu
# load NAME URL PID C: one round, added to secs[NAME] and cpu[NAME].
load() {
  local before after rate
  before=$(cpu_ns "$3")
  rate=$("$tmp/notifyload" -url "$2" -n "$per" -c "$4" -start "$next" | awk '{ print $2 }')
  after=$(cpu_ns "$3")
  secs[$1]=$(awk -v s="${secs[$1]:-0}" -v n="$per" -v r="$rate" 'BEGIN { printf "%.6f", s + n / r }')
  cpu[$1]=$(( ${cpu[$1]:-0} + after - before ))
}
next=0
for c in 1 4 16; do
  secs=() cpu=()
  for ((r = 0; r < rounds; r++)); do
    load bare "$bare_url" "$bare_pid" "$c"
    for b in "${binaries[@]}"; do
      label=${b%%=*}
      load "$label" "${urls[$label]}" "${lpids[$label]}" "$c"
    done
    next=$((next + per))
  done
  total=$((per * rounds))
  bare=$(awk -v n="$total" -v s="${secs[bare]}" 'BEGIN { printf "%.0f", n / s }')
  bare_us=$(awk -v n="$total" -v c="${cpu[bare]}" 'BEGIN { printf "%.1f", c / n / 1000 }')
  echo "bare HTTP server, $total notifications, concurrency $c: $bare/s, server CPU $bare_us µs each"
  for b in "${binaries[@]}"; do
    label=${b%%=*}
    rate=$(awk -v n="$total" -v s="${secs[$label]}" 'BEGIN { printf "%.0f", n / s }')
    us=$(awk -v n="$total" -v c="${cpu[$label]}" 'BEGIN { printf "%.1f", c / n / 1000 }')
    printf '%-6s listen, %s notifications, concurrency %2s: %6s/s, %.2f of the bare server; server CPU %s µs each, %.2fx the bare server\n' \
      "$label" "$total" "$c" "$rate" "$(awk -v a="$rate" -v b="$bare" 'BEGIN { print a / b }')" "$us" "$(awk -v a="$us" -v b="$bare_us" 'BEGIN { print a / b }')"
  done
done

rss() { awk '/^VmRSS|^VmHWM/ { printf "%s %.1f MB  ", $1, $2 / 1024 }' "/proc/$1/status"; }
sent=$((3 * per * rounds))
while [ "$sent" -lt "$mem" ]; do
  "$tmp/notifyload" -url "${urls[this]}" -n "$step" -c 16 -start "$next" >/dev/null
  next=$((next + step))
  sent=$((sent + step))
  echo "listen after $sent notifications: $(rss "${lpids[this]}") seen file $(du -k "$tmp/this-seen.json" | cut -f1) kB"
done
