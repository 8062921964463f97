#!/usr/bin/env bash
# Coverage-guided fuzzing of Nerve's readers with SharpFuzz and AFL++, beside the random mutations of
# tests/Nerve.Tests/Cli/BadInput/FuzzTests.cs that CI runs. Runs until stopped (or for SECONDS); not run in CI.
# Needs afl-fuzz (apt-get install afl++) and the sharpfuzz tool (installed here from NuGet if missing).
# Crashes (any exception other than NerveException) land in artifacts/fuzz/KIND/out/default/crashes/.
# Usage: scripts/fuzz.sh conll|vectors|vectors.gz|model [SECONDS]
set -euo pipefail
kind=${1:?usage: scripts/fuzz.sh conll|vectors|vectors.gz|model [SECONDS]}
seconds=${2:-}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$root/artifacts/fuzz/$kind"
command -v afl-fuzz >/dev/null || { echo "fuzz.sh: afl-fuzz not found; apt-get install afl++" >&2; exit 1; }
export PATH="$PATH:$HOME/.dotnet/tools"
command -v sharpfuzz >/dev/null || dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0

mkdir -p "$work/in"
dotnet publish "$root/scripts/fuzz/Nerve.Fuzz.csproj" -c Release -nologo -v quiet -o "$work/bin"
sharpfuzz "$work/bin/Nerve.dll" # instruments the library in place (the target itself stays plain)

# One small seed per reader, cut from the repository's data.
case "$kind" in
  conll) head -n 60 "$root/data/conll2003/eng.testa" >"$work/in/seed.txt" ;;
  vectors) gzip -dc "$root/data/embeddings/skipgram50.reuters-brown-nlpcorpus-conlltrain.vec.gz" | head -n 6 >"$work/in/seed.vec" ;;
  vectors.gz) gzip -dc "$root/data/embeddings/skipgram50.reuters-brown-nlpcorpus-conlltrain.vec.gz" | head -n 6 | gzip -c >"$work/in/seed.vec.gz" ;;
  model)
    head -n 200 "$root/data/conll2003/eng.testa" >"$work/train.txt"
    "$root/nerve" train --train "$work/train.txt" --model "$work/in/seed.nerve" --epochs 1 --dim 4 --hidden 4 --window 3 >/dev/null ;;
  *) echo "fuzz.sh: unknown kind $kind (conll, vectors, vectors.gz or model)" >&2; exit 1 ;;
esac

export AFL_SKIP_BIN_CHECK=1 # a dotnet target carries no AFL instrumentation marker of its own
exec afl-fuzz ${seconds:+-V "$seconds"} -i "$work/in" -o "$work/out" -t 10000 -m none -- dotnet "$work/bin/Nerve.Fuzz.dll" "$kind"
