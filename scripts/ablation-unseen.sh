#!/usr/bin/env bash
# Issue 14's ablation of the default English model on dev-blind resources: configs/conll2003-en.json (train only,
# dev-blind vectors) with subword vectors, document context and the character CNN switched on and off (the config
# itself is the doc-char row: document context and the character CNN, no subword vectors). Each row
# is trained in full (the config's 14 epochs, patience 5, best epoch by dev F1) on one thread, two rows at a time, then
# scored by `nerve eval --breakdown` on eng.testa. Prints a Markdown table: dev F1, train time and the breakdown's F1
# for entities whose words were all seen in training, with a word unseen in training, with a word without a vector.
# Needs the n-gram rows of scripts/build-vectors.sh beside the vectors (…conlltrain.subwords.gz).
# Usage: scripts/ablation-unseen.sh [OUT_DIR] [ROW…]
#   rows: base doc subwords doc-subwords all doc-char (the default set), doc-window5
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/runs/ablation-unseen}"; shift || true
rows=("$@"); [[ ${#rows[@]} -gt 0 ]] || rows=(base doc subwords doc-subwords all doc-char)
sub="$root/data/embeddings/skipgram50.reuters-brown-nlpcorpus-conlltrain.subwords.gz"
mkdir -p "$out"
"$root/nerve" --help >/dev/null  # build once before the parallel runs
args() {
  case "$1" in
    base) echo --doc-context 0 --char-cnn false ;;
    doc) echo --doc-context 4 --char-cnn false ;;
    subwords) echo --doc-context 0 --char-cnn false --subwords "$sub" ;;
    doc-subwords) echo --doc-context 4 --char-cnn false --subwords "$sub" ;;
    all) echo --doc-context 4 --char-cnn true --subwords "$sub" ;;
    doc-char) echo --doc-context 4 --char-cnn true ;;
    doc-window5) echo --doc-context 4 --char-cnn false --window 5 ;;
    *) echo "unknown row $1" >&2; exit 2 ;;
  esac
}
train() {
  local name="$1"
  # shellcheck disable=SC2046
  "$root/nerve" train --config "$root/configs/conll2003-en.json" --threads 1 --model "$out/$name.nerve" $(args "$name") > "$out/$name.train.log" 2>&1
  "$root/nerve" eval --model "$out/$name.nerve" --data "$root/data/conll2003/eng.testa" --breakdown --no-confusion > "$out/$name.eval.txt" 2>&1
}
running=0
for r in "${rows[@]}"; do
  train "$r" & running=$((running + 1))
  if [[ $running -ge 2 ]]; then wait -n; running=$((running - 1)); fi
done
wait
echo "| row | options | dev F1 | best epoch | train time (s) | F1, all words seen in training | F1, ≥ 1 word unseen in training | F1, ≥ 1 word without a vector |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for r in "${rows[@]}"; do
  f1=$(sed -n 's/.*FB1: *\([0-9.]*\)$/\1/p' "$out/$r.eval.txt" | head -1)
  ep=$(sed -n 's/^best epoch \([0-9]*\):.*/\1/p' "$out/$r.train.log")
  s=$(sed -n 's/^best epoch .*(\([0-9.]*\) s)$/\1/p' "$out/$r.train.log")
  seen=$(awk '/^all words seen in training/ { print $NF }' "$out/$r.eval.txt")
  unseen=$(awk '/word unseen in training/ { print $NF }' "$out/$r.eval.txt")
  novec=$(awk '/word without a vector/ { print $NF }' "$out/$r.eval.txt")
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$r" "$(args "$r" | sed "s|$root/||g")" "$f1" "$ep" "$s" "$seen" "$unseen" "$novec"
done
