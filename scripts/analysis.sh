#!/usr/bin/env bash
# Regenerates the measured half of docs/analysis.md (PA4 §5's questions): sweeps around the default English model
# (configs/conll2003-en.json) over pre-training, updating the vectors, window, layers, hidden size and learning rate,
# then `nerve report` and `nerve tsne` on the default model. Figures and tables go to docs/analysis/.
# Usage: scripts/analysis.sh [--quick] [--parallel N]
#   --quick: 1 epoch on a PA4 subset (6000 train and 2000 dev lines), written to /tmp/nerve-analysis-quick, to check
#            that the pipeline works; docs/ is left alone. The full run is one sweep of 17 runs, of which 6 are the
#            base again and train once (12 trainings of up to 14 epochs), plus the default model: about an hour on 2 cores.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
quick=0 parallel=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1 ;;
    --parallel) parallel="$2"; shift ;;
    *) echo "usage: scripts/analysis.sh [--quick] [--parallel N]" >&2; exit 2 ;;
  esac
  shift
done
vec=data/embeddings/skipgram50.reuters-brown-nlpcorpus-conlltrain.vec.gz # dev-blind (scripts/build-vectors.sh)
if [[ $quick == 1 ]]; then
  out=/tmp/nerve-analysis-quick
  rm -rf "$out" && mkdir -p "$out/data"
  head -6000 data/pa4/train >"$out/data/train" && head -2000 data/pa4/dev >"$out/data/dev"
  base=(--train "$out/data/train" --dev "$out/data/dev" --format pa4 --embeddings "$vec" --epochs 1 --hidden 50)
  dev=("$out/data/dev" --format pa4 --raw)
  windows=3,5 layers=1,2 hidden=50,100 lrs=0.01,0.05
else
  out=docs/analysis
  mkdir -p "$out"
  base=(--config configs/conll2003-en.json)
  dev=(data/conll2003/eng.testa)
  windows=3,5,7,9 layers=1,2,3 hidden=100,200,400 lrs=0.01,0.05,0.1
fi
start=$SECONDS
# One sweep, one option at a time around the base: a run that is the base again (window=7, hidden=400, …) trains once.
./nerve sweep "${base[@]}" --parallel "$parallel" --out "$out/sweep" \
  --vary "embeddings=none,$vec" --vary fix-embeddings=false,true --vary "window=$windows" \
  --vary "layers=$layers" --vary "hidden=$hidden" --vary "lr=$lrs" | tail -1
# The sweep's embeddings=VECTORS run is the base configuration itself: it is the default model analysed below.
cp "$(ls "$out"/sweep/runs/embeddings=data_embeddings_*/model.nerve)" "$out/default.nerve"
./nerve eval --model "$out/default.nerve" --data "${dev[@]}" --json "$out/metrics.json" --no-confusion >"$out/eval.txt"
./nerve report --model "$out/default.nerve" --data "${dev[@]}" --out "$out/report/report.html" | tail -1
./nerve tsne --model "$out/default.nerve" --top 500 --seed 1 --out "$out/tsne/tsne.html" | tail -1

# One markdown table per sweep: each run's best epoch by dev F1 (results.csv: run, option, epoch, loss, train_f1, dev_f1, …).
{
  echo "<!-- written by scripts/analysis.sh$([[ $quick == 1 ]] && echo ' --quick') -->"
  i=0
  for s in embeddings fix-embeddings window layers hidden lr; do
    i=$((i + 1)); echo; echo "#### $s"; echo
    echo "| run | best epoch | train F1 | dev F1 | seconds |"; echo "|---|---:|---:|---:|---:|"
    awk -F, -v opt="$s" 'NR == 1 { for (c = 1; c <= NF; c++) if ($c == opt) col = c; next }
      $col != "" { r = $1; t[r] += $NF; if (!(r in best) || $(NF - 2) > best[r]) { best[r] = $(NF - 2); ep[r] = $(NF - 5); tr[r] = $(NF - 3) } if (!(r in seen)) { seen[r] = 1; order[++n] = r } }
      END { for (i = 1; i <= n; i++) { r = order[i]; printf "| %s | %d | %.2f | %.2f | %.0f |\n", r, ep[r], tr[r], best[r], t[r] } }' "$out/sweep/results.csv"
    echo; echo "![F1 against $s](sweep/vary-$i.svg)"
  done
  echo; echo "#### The default model on the dev set"; echo; echo '```'; cat "$out/eval.txt"; echo '```'
} >"$out/results.md"
echo "analysis: wrote $out/results.md in $((SECONDS - start)) s"
