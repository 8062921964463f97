#!/usr/bin/env bash
# Trains a fixed set of small configurations and prints the sha256 of each model file, to show that a refactor leaves
# the models byte-identical. Model files record their data paths, so the tree is first copied to one fixed folder
# (/tmp/nerve-model-hashes/src) and built and run there; runs from several checkouts wait for each other (flock).
# Usage: scripts/model-hashes.sh [--full]   (--full adds the default English config for 2 epochs, about 2 minutes)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base=/tmp/nerve-model-hashes
mkdir -p "$base"
exec 9>"$base/lock"
flock 9
src="$base/src" out="$base/out"
rm -rf "$out" && mkdir -p "$src" "$out"
# Clear the previous tree but its build output (bin, obj), so files deleted since then are not built.
find "$src" \( -name bin -o -name obj \) -prune -o -type f -exec rm -f {} +
(cd "$here" && tar --exclude=./.git --exclude='*/bin' --exclude='*/obj' --exclude=./runs -cf - .) | (cd "$src" && tar -xf -)
dotnet build "$src/src/Nerve.Cli/Nerve.Cli.csproj" -c Release -nologo -v quiet >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
touch "$src/src/Nerve.Cli/bin/Release/net10.0/Nerve.Cli.dll"
cd "$src"
vec=data/embeddings/fasttext-skipgram50.reuters-brown-nlpcorpus-conlltrainA.vec.gz
pa4=(--train data/pa4/train --dev data/pa4/dev --format pa4 --embeddings "$vec" --epochs 1 --seed 1)
run() { local name="$1"; shift; ./nerve train "$@" --model "$out/$name.nerve" >"$out/$name.log" 2>&1 || { tail -3 "$out/$name.log"; return 1; }
  echo "$(sha256sum <"$out/$name.nerve" | cut -c1-16)  $name  $(grep -o 'dev F1 [0-9.]*' "$out/$name.log" | tail -1)"; }
run pa4-sgd1-t2     "${pa4[@]}" --optimizer sgd --lr 0.01 --threads 2
run pa4-sgd1-t1     "${pa4[@]}" --optimizer sgd --lr 0.01 --threads 1
run pa4-adagrad1    "${pa4[@]}"
run pa4-adagrad32   "${pa4[@]}" --batch 32 --threads 2
run pa4-hogwild-t1  "${pa4[@]}" --optimizer sgd --lr 0.01 --threads 1 --hogwild
run pa4-2layer-drop "${pa4[@]}" --hidden 50,30 --input-dropout 0.2 --hidden-dropout 0.3 --l2 1e-4 --clip 5
run pa4-graph       "${pa4[@]}" --engine graph --hidden 20 --batch 8
run binary-sigmoid  --train data/pa4/binary_person_2012/train --dev data/pa4/binary_person_2012/dev \
  --format pa4 --embeddings "$vec" --epochs 1 --output sigmoid --positive PERSON --batch 16
run crf-features    --train data/conll2003/eng.train --dev data/conll2003/eng.testa --embeddings "$vec" \
  --output crf --caps --suffix 2,3 --prefix 3 --gazetteers data/gazetteers --hidden 50 --epochs 1 --input-dropout 0.2
if [[ "${1:-}" == --full ]]; then
  run default-en-2ep --config configs/conll2003-en.json --epochs 2
fi
