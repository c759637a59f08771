#!/usr/bin/env bash
# Whole-run benchmark: builds ruleatlas, runs `report` on the shared corpora
# RUNS times (default 5) and prints the median wall time, CPU time and peak
# RSS measured by /usr/bin/time -v. Usage: scripts/bench-run.sh [args…]
# (default args: every shared corpus, all formats).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared}
runs=${RUNS:-5}
bin=$(mktemp -d)/ruleatlas
go build -o "$bin" ./cmd/ruleatlas
out=$(mktemp -d)
if [ $# -eq 0 ]; then
	set -- --sigma "$shared/corpora/sigma" --elastic "$shared/corpora/elastic" --splunk "$shared/corpora/splunk" \
		--sentinel "$shared/corpora/sentinel" --panther "$shared/corpora/panther" \
		--attack "$shared/attack/enterprise-attack.json"
fi
walls=(); cpus=(); rss=()
for i in $(seq "$runs"); do
	# A fresh output folder per run: replacing the previous run's output
	# makes ext4 skip its just-freed inodes, which mostly measures the disk.
	/usr/bin/time -v "$bin" report --quiet --out "$out/run$i" "$@" 2>"$out/time.txt" || { cat "$out/time.txt"; exit 1; }
	w=$(grep 'Elapsed (wall clock)' "$out/time.txt" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
	u=$(grep 'User time' "$out/time.txt" | awk '{print $NF}')
	s=$(grep 'System time' "$out/time.txt" | awk '{print $NF}')
	m=$(grep 'Maximum resident' "$out/time.txt" | awk '{print $NF}')
	walls+=("$w"); cpus+=("$(echo "$u $s" | awk '{print $1+$2}')"); rss+=("$m")
	echo "run $i: wall ${w}s cpu $(echo "$u $s" | awk '{print $1+$2}')s rss $((m / 1024)) MB"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median of $runs: wall $(median "${walls[@]}")s cpu $(median "${cpus[@]}")s peak rss $(( $(median "${rss[@]}") / 1024 )) MB"
du -sh "$out/run1"
rm -rf "$out"
