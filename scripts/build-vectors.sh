#!/usr/bin/env bash
# Builds the bundled English word vectors with `nerve embed`, dev-blind: the unlabelled corpora (Reuters-21578, Brown,
# nlp-corpus) plus the tokens of CoNLL-2003 eng.train, and nothing from eng.testa or any test split.
# Also writes the n-gram rows that compose vectors for unknown words (train --subwords) beside it, as OUT.subwords.gz.
# Usage: scripts/build-vectors.sh [OUT.vec.gz]   (corpora from data/corpora, else $NERVE_CORPORA, else
# ../shared/data/corpora). One thread and a fixed seed: the same file every time.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/data/embeddings/skipgram50.reuters-brown-nlpcorpus-conlltrain.vec.gz}"
corpora="$root/data/corpora"
[[ -d "$corpora" ]] || corpora="${NERVE_CORPORA:-$root/../shared/data/corpora}"
[[ -f "$corpora/reuters21578.text.txt" ]] || { echo "build-vectors: no corpora in data/corpora or ../shared/data/corpora" >&2; exit 1; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
# eng.train as one sentence per line (first column, no -DOCSTART-).
awk 'NF == 0 { if (line != "") print line; line = ""; next } $1 == "-DOCSTART-" { next } { line = line == "" ? $1 : line " " $1 }
     END { if (line != "") print line }' "$root/data/conll2003/eng.train" > "$tmp/eng.train.tokens.txt"
set -x
time "$root/nerve" embed --input "$corpora/reuters21578.text.txt" --input "$corpora/nlp-corpus.text.txt" \
  --tokens "$corpora/brown.tokens.txt" --tokens "$tmp/eng.train.tokens.txt" \
  --output "$out" --subwords "${out%.vec.gz}.subwords.gz" --dim 50 --window 5 --epochs 5 --min-count 2 --minn 3 --maxn 6 --seed 1 --threads 1
