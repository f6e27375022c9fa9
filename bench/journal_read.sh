#!/usr/bin/env bash
# Journal reads at scale (issue 27): builds journals of 10k, 100k and 1M
# rows (bench/journalgen writes them straight through SQL: one year of
# rows, 30 unknown in the last week and 30 older), then measures the
# median wall time and the peak RSS (GNU time's %M, the largest over the
# runs) of
#   journal list                (the last 24 hours, table)
#   reconcile --dry-run         (7 days: 30 unsettled rows)
#   journal export --since 0    (every row, JSON lines)
# against `bokuctl version`, for this tree's binary ("new") and, unless
# OLD=none, the binary of OLD (default: the merge base with main, "old"),
# each on its own copy of the journal (the old one with the indexes it
# had), all in the same run, and prints each as a ratio to version.
# Targets on 1M rows: list and reconcile <= 10x version wall and <= 40 MB;
# export <= 40 MB.
# Usage: bash bench/journal_read.sh [runs] [sizes…]   (default 5; 10000 100000 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/new" .
CGO_ENABLED=0 go build -o "$tmp/journalgen" ./bench/journalgen
binaries=(new)
old=${OLD:-$(git merge-base HEAD main 2>/dev/null || echo none)}
if [ "$old" != none ]; then
  mkdir "$tmp/src"
  git archive "$old" | tar -x -C "$tmp/src"
  (cd "$tmp/src" && CGO_ENABLED=0 go build -o "$tmp/old" .)
  binaries+=(old)
fi
export HOME="$tmp/home" BOKUCTL_CONFIG="$tmp/config.yaml" BOKUCTL_KEYRING_FILE="$tmp/secrets.json" NO_COLOR=1
export DBUS_SESSION_BUS_ADDRESS="unix:path=$tmp/no-bus"

# measure BIN JOURNAL ARGS…: prints "median_wall_ms peak_rss_mb"
measure() {
  local bin=$1 db=$2; shift 2
  local walls=() peak=0
  for _ in $(seq "$runs"); do
    local start end rss
    start=$(date +%s%N)
    BOKUCTL_JOURNAL=$db /usr/bin/time -f %M -o "$tmp/rss" "$tmp/$bin" "$@" >/dev/null 2>&1 || true
    end=$(date +%s%N)
    walls+=($(( (end - start) / 1000 )))
    rss=$(tail -1 "$tmp/rss")
    [ "$rss" -gt "$peak" ] && peak=$rss
  done
  local wall
  wall=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f", m / 1000}')
  echo "$wall $(awk -v k="$peak" 'BEGIN {printf "%.1f", k / 1024}')"
}

printf '%-9s %-4s %-26s %10s %8s %9s\n' rows bin command wall_ms rss_mb x_version
for n in "${sizes[@]}"; do
  "$tmp/journalgen" -o "$tmp/new-$n.db" -rows "$n"
  [ "$old" = none ] || "$tmp/journalgen" -o "$tmp/old-$n.db" -rows "$n" -schema 2
  for bin in "${binaries[@]}"; do
    db="$tmp/$bin-$n.db"
    read -r vwall vrss < <(measure "$bin" "$db" version)
    printf '%-9s %-4s %-26s %10s %8s %9s\n' "$n" "$bin" version "$vwall" "$vrss" 1.00
    for cmd in "journal list --since 24h" "reconcile --dry-run" "journal export --since 0"; do
      # shellcheck disable=SC2086
      read -r wall rss < <(measure "$bin" "$db" $cmd)
      printf '%-9s %-4s %-26s %10s %8s %9s\n' "$n" "$bin" "${cmd/ --since 0/}" "$wall" "$rss" "$(awk -v a="$wall" -v b="$vwall" 'BEGIN {printf "%.1f", a / b}')"
    done
  done
  rm -f "$tmp"/*-"$n".db*
done
