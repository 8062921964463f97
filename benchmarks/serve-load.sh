#!/usr/bin/env bash
# Load benchmark of `nerve serve` (not a test): `hey` (Debian's package, installed here when missing) runs CLIENTS
# concurrent clients on loopback for SECONDS, posting the demo paragraph as {"text": …} with ?tokens=false, while one
# more client posts malformed JSON (answered 400) for the same time. Once with the small model of the tests (H = 20,
# d = 20, CRF, 3,000 sentences, 1 epoch) and once with the default configuration (configs/conll2003-en.json: H = 400,
# window 7, CRF, features, the 72,634-word vocabulary of its vectors; here 1 epoch on the first 2,000 sentences of
# eng.train: the shape, not the accuracy, sets the speed). Models are trained on the first
# run and kept in benchmarks/.serve-load/ (or pass your own). Reports requests/s, tokens/s (from the server's
# /metrics), p50/p99 latency, and the error count of valid requests (must be 0) as a markdown table on stdout.
# Usage: benchmarks/serve-load.sh [seconds=10] [clients=8] [small.nerve] [default.nerve]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-10}"
clients="${2:-8}"
cd "$root"
cache="$root/benchmarks/.serve-load"
mkdir -p "$cache"
work="$(mktemp -d)"
server=""
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

if ! command -v hey >/dev/null; then
  apt-get update -qq && apt-get install -y -qq hey >/dev/null
fi

small="${3:-$cache/small.nerve}"
if [[ ! -f "$small" ]]; then
  echo "training the small model..." >&2
  mkdir -p "$work/gaz"
  for f in data/gazetteers/*.txt; do head -n 3000 "$f" > "$work/gaz/$(basename "$f")"; done
  awk 'BEGIN { RS = ""; ORS = "\n\n" } NR <= 3000' data/conll2003/eng.train > "$work/train3000.txt"
  ./nerve train --train "$work/train3000.txt" --model "$small" --dim 20 --hidden 20 --output crf --caps \
    --prefix 3 --suffix 2,3 --gazetteers "$work/gaz" --epochs 1 > "$work/train-small.log" 2>&1
fi
default="${4:-$cache/default-1ep.nerve}"
if [[ ! -f "$default" ]]; then
  echo "training the default configuration for 1 epoch on 2,000 sentences..." >&2
  awk 'BEGIN { RS = ""; ORS = "\n\n" } NR <= 2000' data/conll2003/eng.train > "$work/train2000.txt"
  ./nerve train --config configs/conll2003-en.json --train "$work/train2000.txt" --epochs 1 --model "$default" > "$work/train-default.log" 2>&1
fi

paragraph="German Chancellor Helmut Kohl met U.S. President Bill Clinton in Bonn on Tuesday. The two leaders discussed NATO expansion and the European Union's plans, a spokesman for the Foreign Ministry said. Shares of Daimler-Benz rose 2 percent in Frankfurt after Reuters reported a deal with Chrysler."
printf '{"text": "%s"}' "$paragraph" > "$work/valid.json"
printf '{"text": "unterminated' > "$work/invalid.json"

port=18931
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }
# hey's summary: requests/s, p50, p99 (seconds) and the number of answers other than the expected status.
summary() {
  awk -v want="$2" '
    /Requests\/sec:/ { rps = $2 }
    /50% in/ { p50 = $3 } /99% in/ { p99 = $3 }
    /^  \[[0-9]+\]/ { code = substr($1, 2, length($1) - 2); if (code == want) ok += $2; else bad += $2 }
    /Error distribution:/ { errs = 1 } errs && /^  \[[0-9]+\]/ && !/responses/ { bad += substr($1, 2, length($1) - 2) }
    END { printf "%s %s %s %d %d\n", rps, p50, p99, ok, bad }' "$1"
}

echo "| model | clients | seconds | valid req/s | tokens/s | p50 ms | p99 ms | valid errors | invalid req/s (400) | invalid not 400 |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for model in "$small" "$default"; do
  ./nerve serve --model "$model" --port "$port" --max-concurrency 1024 2> "$work/serve.log" &
  server=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  # Warm-up: JIT and the first-layer cache.
  hey -n 200 -c 2 -m POST -T application/json -D "$work/valid.json" "http://127.0.0.1:$port/v1/entities?tokens=false" > /dev/null
  t0=$(metric nerve_tokens_tagged_total)
  hey -z "${seconds}s" -c "$clients" -m POST -T application/json -D "$work/valid.json" "http://127.0.0.1:$port/v1/entities?tokens=false" > "$work/valid.out" &
  valid=$!
  hey -z "${seconds}s" -c 1 -m POST -T application/json -D "$work/invalid.json" "http://127.0.0.1:$port/v1/entities" > "$work/invalid.out"
  wait "$valid"
  t1=$(metric nerve_tokens_tagged_total)
  kill -TERM "$server"; wait "$server" || true; server=""
  read -r rps p50 p99 ok bad < <(summary "$work/valid.out" 200)
  read -r irps _ _ _ ibad < <(summary "$work/invalid.out" 400)
  awk -v m="$(basename "$model")" -v c="$clients" -v s="$seconds" -v rps="$rps" -v t="$((t1 - t0))" -v p50="$p50" -v p99="$p99" \
      -v bad="$bad" -v irps="$irps" -v ibad="$ibad" \
    'BEGIN { printf "| %s | %d | %d | %.0f | %.0f | %.1f | %.1f | %d | %.0f | %d |\n", m, c, s, rps, t / s, p50 * 1000, p99 * 1000, bad, irps, ibad }'
done
