#!/usr/bin/env bash
# Measures the wall time of `bokuctl version` and `bokuctl --help` against
# a hello-world Go binary built the same way, in one run, and prints the
# medians and their ratios (the target, issue 15: at most 3x hello-world
# for both); then the median wall time of `bokuctl sandbox demo` (14 real
# HTTP flows).
# COMPARE="label=path/to/bokuctl …" also measures those binaries' version
# and --help in the same run (before/after figures).
# Usage: bash bench/startup.sh [runs]   (default 20; the demo runs runs/4)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CGO_ENABLED=0 go build -o "$tmp/bokuctl" .
CGO_ENABLED=0 go build -o "$tmp/hello" ./bench/hello

median_ms() {
  local -a times=()
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f\n", m / 1000}'
}

hello=$(median_ms "$tmp/hello")
version=$(median_ms "$tmp/bokuctl" version)
help=$(median_ms "$tmp/bokuctl" --help)
echo "runs per command:        $runs"
echo "hello-world median:      ${hello} ms"
echo "bokuctl version median:  ${version} ms"
awk -v a="$version" -v b="$hello" 'BEGIN { printf "ratio (version/hello):   %.1fx\n", a / b }'
echo "bokuctl --help median:   ${help} ms"
awk -v a="$help" -v b="$hello" 'BEGIN { printf "ratio (--help/hello):    %.1fx\n", a / b }'
for other in ${COMPARE:-}; do
  v=$(median_ms "${other#*=}" version)
  h=$(median_ms "${other#*=}" --help)
  awk -v l="${other%%=*}" -v v="$v" -v h="$h" -v b="$hello" 'BEGIN { printf "%s: version %.2f ms (%.1fx), --help %.2f ms (%.1fx)\n", l, v, v / b, h, h / b }'
done
runs=$(( runs / 4 > 0 ? runs / 4 : 1 ))
[ -n "${NO_DEMO:-}" ] && exit 0
demo=$(median_ms "$tmp/bokuctl" sandbox demo)
echo "sandbox demo median:     ${demo} ms (runs: $runs)"
