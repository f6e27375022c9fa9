#!/usr/bin/env bash
# Measures the wall time of `bokuctl version` and `bokuctl --help` against
# a hello-world Go binary built the same way, in one run, and prints the
# medians and their ratios (the targets: issue 15, at most 3x hello-world
# for both; issue 27, at most 2x), and `bokuctl charge --help` (a command
# of its own: the root builds only it); then the median wall time of
# `bokuctl sandbox demo` (14 real HTTP flows).
# COMPARE="label=path/to/bokuctl …" also measures those binaries' version
# and --help in the same run (before/after figures).
# Usage: bash bench/startup.sh [runs]   (default 20; the demo runs runs/4)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Built as releases are (.goreleaser.yaml): CGO_ENABLED=0, -trimpath,
# -ldflags "-s -w" (no symbol table or DWARF: a smaller file to map).
release_build() { CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" "$@"; }
release_build -o "$tmp/bokuctl" .
release_build -o "$tmp/hello" ./bench/hello

# children_cpu_ms sets cpu to the user+system CPU time of every child so
# far, in ms: the times builtin's second line, parsed without starting a
# process (in a subshell, times would report the subshell's children).
children_cpu_ms() {
  local line
  times >"$tmp/times"
  { read -r _; read -r line; } <"$tmp/times"
  [[ $line =~ ^([0-9]+)m([0-9]+)\.([0-9]+)s\ ([0-9]+)m([0-9]+)\.([0-9]+)s$ ]]
  local -a m=("${BASH_REMATCH[@]}")
  cpu=$(( (10#${m[1]} * 60 + 10#${m[2]}) * 1000 + 10#${m[3]} + (10#${m[4]} * 60 + 10#${m[5]}) * 1000 + 10#${m[6]} ))
}

# measure LABEL… runs every labelled command line (cmd_LABEL) once per
# round, interleaved so that a change in the machine's load falls on all
# of them alike, and records each run's wall time (EPOCHREALTIME: no
# process of its own around the command) and the CPU time of all runs.
measure() {
  local label round start end c0 c1 cpu
  for label in "$@"; do : >"$tmp/wall.$label"; echo 0 >"$tmp/cpu.$label"; done
  for round in $(seq "$runs"); do
    for label in "$@"; do
      local -n cmd="cmd_$label"
      children_cpu_ms
      c0=$cpu
      start=$EPOCHREALTIME
      "${cmd[@]}" >/dev/null 2>&1 || true
      end=$EPOCHREALTIME
      children_cpu_ms
      c1=$cpu
      echo $(( ${end/./} - ${start/./} )) >>"$tmp/wall.$label"
      echo $(( $(cat "$tmp/cpu.$label") + c1 - c0 )) >"$tmp/cpu.$label"
    done
  done
}
median_ms() { sort -n "$tmp/wall.$1" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.2f\n", m / 1000}'; }
cpu_ms() { awk -v t="$(cat "$tmp/cpu.$1")" -v n="$runs" 'BEGIN { printf "%.2f\n", t / n }'; }

cmd_hello=("$tmp/hello")
cmd_version=("$tmp/bokuctl" version)
cmd_help=("$tmp/bokuctl" --help)
cmd_charge=("$tmp/bokuctl" charge --help)
labels=(hello version help charge)
i=0
for other in ${COMPARE:-}; do
  i=$((i + 1))
  declare -a "cmd_v$i=(\"\${other#*=}\" version)" "cmd_h$i=(\"\${other#*=}\" --help)" "cmd_c$i=(\"\${other#*=}\" charge --help)"
  labels+=("v$i" "h$i" "c$i")
done
measure "${labels[@]}"

hello=$(median_ms hello)
version=$(median_ms version)
help=$(median_ms help)
echo "runs per command:        $runs (interleaved; wall median, CPU mean)"
echo "hello-world median:      ${hello} ms (CPU $(cpu_ms hello) ms)"
echo "bokuctl version median:  ${version} ms (CPU $(cpu_ms version) ms)"
awk -v a="$version" -v b="$hello" 'BEGIN { printf "ratio (version/hello):   %.1fx\n", a / b }'
echo "bokuctl --help median:   ${help} ms (CPU $(cpu_ms help) ms)"
awk -v a="$help" -v b="$hello" 'BEGIN { printf "ratio (--help/hello):    %.1fx\n", a / b }'
awk -v a="$(median_ms charge)" -v b="$hello" -v c="$(cpu_ms charge)" 'BEGIN { printf "bokuctl charge --help:   %.2f ms (%.1fx, CPU %.2f ms)\n", a, a / b, c }'
i=0
for other in ${COMPARE:-}; do
  i=$((i + 1))
  awk -v l="${other%%=*}" -v v="$(median_ms "v$i")" -v h="$(median_ms "h$i")" -v c="$(median_ms "c$i")" -v b="$hello" \
    -v vc="$(cpu_ms "v$i")" -v hc="$(cpu_ms "h$i")" -v cc="$(cpu_ms "c$i")" \
    'BEGIN { printf "%s: version %.2f ms (%.1fx, CPU %.2f ms), --help %.2f ms (%.1fx, CPU %.2f ms), charge --help %.2f ms (%.1fx, CPU %.2f ms)\n", l, v, v / b, vc, h, h / b, hc, c, c / b, cc }'
done
runs=$(( runs / 4 > 0 ? runs / 4 : 1 ))
[ -n "${NO_DEMO:-}" ] && exit 0
cmd_demo=("$tmp/bokuctl" sandbox demo)
measure demo
demo=$(median_ms demo)
echo "sandbox demo median:     ${demo} ms (runs: $runs)"
