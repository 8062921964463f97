#!/usr/bin/env bash
# End-to-end `nerve tag` throughput (I/O, parsing, featurizing, tagging and writing; process start included), tagging a
# large CoNLL file: train + dev repeated `copies` times. Median of 5 runs. The model: "pa4" (the benchmark's shape:
# C = 5, H = 100, K = 5 classes + O, the bundled 50-d vectors, softmax, trained for one epoch), "default" (the default
# English model, configs/conll2003-en.json: H = 400, C = 7, twelve feature tables, CRF, trained for one epoch), or the
# path of a model file to use as it is.
# Usage: benchmarks/tag-e2e.sh [copies=8] [threads=2] [model=pa4|default|FILE]
# Prints one JSON line (mode "tag-e2e": tokens/s, the load phase and the peak resident memory of the median run, from
# GNU time) and nerve's phase timings.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
copies="${1:-8}"
threads="${2:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$root"
which="${3:-pa4}"
case "$which" in
  pa4)
    model="$work/h100.nerve"
    ./nerve train --train data/conll2003/eng.train --model "$model" --window 5 --hidden 100 \
      --embeddings data/embeddings/fasttext-skipgram50.reuters-brown-nlpcorpus-conlltrainA.vec.gz \
      --optimizer sgd --lr 0.01 --epochs 1 --threads 1 > "$work/train.log" ;;
  default)
    model="$work/default.nerve"
    ./nerve train --config configs/conll2003-en.json --model "$model" --epochs 1 > "$work/train.log" ;;
  *)
    model="$(realpath "$which")" ;;
esac
big="$work/big.conll"
for _ in $(seq 1 "$copies"); do cat data/conll2003/eng.train data/conll2003/eng.testa; done > "$big"
tokens=$(grep -v -e '^\s*$' -e '^-DOCSTART-' "$big" | wc -l)
[[ -x /usr/bin/time ]] || { apt-get update >&2 && apt-get install -y time >&2; }
./nerve tag --model "$model" --input data/conll2003/eng.testa > /dev/null # builds the CLI if needed, outside the timing
rates=() rss=()
for run in 1 2 3 4 5; do
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss.$run" ./nerve tag --model "$model" --input "$big" --threads "$threads" --stats > "$work/out.conll" 2> "$work/stats.$run"
  end=$(date +%s.%N)
  rates+=("$(awk -v n="$tokens" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", n / (b - a) }')")
  rss+=("$(tail -1 "$work/rss.$run")")
done
median=$(printf '%s\n' "${rates[@]}" | sort -g | sed -n 3p)
peak_mb=$(printf '%s\n' "${rss[@]}" | sort -g | sed -n 3p | awk '{ printf "%.0f", $1 / 1024 }')
cat "$work/stats.3" >&2
load=$(sed -n 's/^nerve tag: load model *\([0-9.]*\) s.*/\1/p' "$work/stats.3" | head -1)
printf '{"impl":"nerve","mode":"tag-e2e","model":"%s","batch":256,"threads":%d,"tokens":%d,"file_mb":%.1f,"load_s":"%s","tokens_per_s":%.0f,"peak_rss_mb":%s,"runs":[%s]}\n' \
  "$(basename "$which")" "$threads" "$tokens" "$(awk -v b="$(stat -c %s "$big")" 'BEGIN { print b / 1048576 }')" "$load" "$median" "$peak_mb" "$(IFS=,; echo "${rates[*]}")"
