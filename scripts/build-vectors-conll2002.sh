#!/usr/bin/env bash
# Builds the Spanish and Dutch word vectors of configs/conll2002-{es,nl}.json with `nerve embed`, dev-blind: the
# words of esp.train / ned.train only (no unlabelled Spanish or Dutch corpus is staged), nothing from testa or testb.
# Dutch lines with a POS tag glued to the word ("BelgiEN B-LOC", see --repair-glued) lose the tag here too.
# Usage: scripts/build-vectors-conll2002.sh [es|nl ...]   (default: both). One thread and a fixed seed: the same
# file every time. The corpora are small, so more epochs and fewer n-gram buckets than scripts/build-vectors.sh.
# NERVE="dotnet path/to/Nerve.Cli.dll" runs a given build instead of the ./nerve launcher.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
langs=("$@"); [[ ${#langs[@]} -gt 0 ]] || langs=(es nl)
for lang in "${langs[@]}"; do
  case "$lang" in
    es) train="$root/data/conll2002/esp.train" ;;
    nl) train="$root/data/conll2002/ned.train" ;;
    *) echo "build-vectors-conll2002: unknown language '$lang' (es or nl)" >&2; exit 1 ;;
  esac
  # One sentence per line (first column, no -DOCSTART-); a two-field line is a word with its POS tag glued on.
  awk 'NF == 0 { if (line != "") print line; line = ""; next } $1 == "-DOCSTART-" { next }
       { w = $1; if (NF == 2) sub(/(Adj|Adv|Art|Conj|Int|Misc|Num|N|Prep|Pron|Punc|V)$/, "", w); line = line == "" ? w : line " " w }
       END { if (line != "") print line }' "$train" > "$tmp/$lang.tokens.txt"
  (set -x
   time ${NERVE:-"$root/nerve"} embed --tokens "$tmp/$lang.tokens.txt" \
     --output "$root/data/embeddings/skipgram50.conll2002-$lang-train.vec.gz" --dim 50 --window 5 --epochs 15 \
     --min-count 2 --minn 3 --maxn 6 --buckets 500000 --seed 1 --threads 1 --quiet)
done
