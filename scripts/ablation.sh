#!/usr/bin/env bash
# Ablation of the default English model: trains configs/conll2003-en.json with one part removed at a time and prints a
# Markdown table of dev (testa) phrase F1. Usage: scripts/ablation.sh [EPOCHS] [OUT_DIR] [EXTRA_VECTORS.vec.gz]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
epochs="${1:-6}"; out="${2:-$root/runs/ablation}"; own="${3:-}"
mkdir -p "$out"
cfg="$root/configs/conll2003-en.json"
nerve=(${NERVE:-$root/nerve})  # NERVE="dotnet path/to/Nerve.Cli.dll" runs a fixed build
run() { # name, extra args…
  local name="$1"; shift
  "${nerve[@]}" train --config "$cfg" --epochs "$epochs" --model "$out/$name.nerve" "$@" > "$out/$name.log" 2>&1
  local f1 s
  f1=$(sed -n 's/^best epoch [0-9]*: dev F1 \([0-9.]*\);.*/\1/p' "$out/$name.log")
  s=$(sed -n 's/^best epoch .*(\([0-9.]*\) s)$/\1/p' "$out/$name.log")
  printf '| %s | %s | %s |\n' "$name" "$f1" "$s"
}
echo "| configuration ($epochs epochs max, best epoch by dev F1) | dev F1 | train time (s) |"
echo "|---|---|---|"
run full
run no-gazetteers --gazetteers none
run no-affixes --prefix none --suffix none
run no-caps --caps false
run no-crf --output softmax
run no-vectors --embeddings none
run no-dropout --input-dropout 0 --hidden-dropout 0
run plus-doc-context --doc-context 4
# The n-gram rows beside the config's vectors, written by scripts/build-vectors.sh (not bundled).
sub="$root/data/embeddings/skipgram50.reuters-brown-nlpcorpus-conlltrain.subwords.gz"
if [[ -f "$sub" ]]; then
  run plus-subwords --subwords "$sub"
  run plus-subwords-doc-context --subwords "$sub" --doc-context 4
  run plus-subwords-doc-context-char-cnn --subwords "$sub" --doc-context 4 --char-cnn
fi
run words-only --caps false --prefix none --suffix none --gazetteers none --output softmax --input-dropout 0 --hidden-dropout 0
if [[ -n "$own" ]]; then run nerve-embed-vectors --embeddings "$own"; fi
