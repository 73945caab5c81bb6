#!/usr/bin/env bash
# Indexing throughput against embedding alone (issue 16: the store should add < 5% to `bert embed`).
# Usage: scripts/bench_index_throughput.sh [N_SENTENCES=2000] [ROUNDS=3] [POSTGRES_URL]
# Embeds the first N polarity sentences with `bert embed --output` (an .npy file) and indexes the same sentences
# with `bert index add` into a fresh SQLite file (and a fresh PostgreSQL table when a URL is given), alternating
# the commands ROUNDS times; prints each run's seconds and the median ratio index/embed.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2000}"; ROUNDS="${2:-3}"; PG="${3:-}"
BERT=.build/release/bert
MODEL=models/all-MiniLM-L6-v2
WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
sed -n "2,$((N + 1))p" data/polarity/train.csv | sed -E 's/,[^,]*$//; s/^"(.*)"$/\1/' > "$WORK/texts.txt"
seconds() { local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
declare -a EMBED SQLITE POSTGRES
for r in $(seq "$ROUNDS"); do
    EMBED+=("$(seconds "$BERT" embed --model "$MODEL" --input "$WORK/texts.txt" --output "$WORK/x.npy" --quiet)")
    rm -f "$WORK/i.sqlite"*
    SQLITE+=("$(seconds "$BERT" index add --index "$WORK/i.sqlite" --model "$MODEL" "$WORK/texts.txt" --quiet)")
    if [ -n "$PG" ]; then
        TABLE="bench_tp_$RANDOM$RANDOM"
        POSTGRES+=("$(seconds "$BERT" index add --index "$PG&table=$TABLE" --model "$MODEL" "$WORK/texts.txt" --quiet)")
        psql "${PG%%\?*}" -h "$(echo "$PG" | sed -n 's/.*host=\([^&]*\).*/\1/p')" -q -c "DROP TABLE $TABLE, ${TABLE}_info" 2>/dev/null || true
    fi
    echo "round $r: embed ${EMBED[-1]} s, index sqlite ${SQLITE[-1]} s${PG:+, index postgres ${POSTGRES[-1]} s}"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
E=$(median "${EMBED[@]}"); S=$(median "${SQLITE[@]}")
echo "$N sentences, median of $ROUNDS: embed $E s, index add (SQLite) $S s, ratio $(echo "scale=3; $S / $E" | bc)"
if [ -n "$PG" ]; then P=$(median "${POSTGRES[@]}"); echo "index add (PostgreSQL) $P s, ratio $(echo "scale=3; $P / $E" | bc)"; fi
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
