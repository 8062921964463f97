#!/usr/bin/env bash
# Nerve against the same window network in PyTorch (benchmarks/peers/pytorch_window.py), same synthetic data shape,
# alternating for a few rounds so both see the same machine load; prints medians over rounds and Nerve/PyTorch.
# Usage: benchmarks/compare.sh [rounds=3] [extra nerve bench options...]   (run as root the first time: installs torch)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
shift || true
py=/usr/bin/python3
if ! "$py" -c 'import torch' 2>/dev/null; then
  apt-get update >&2 && apt-get install -y python3-torch >&2
fi
# Debian's torch uses the system libblas.so.3; the default alternative is the reference BLAS, so install OpenBLAS
# (the alternatives system then points libblas.so.3 at it) to give PyTorch an optimised GEMM.
if ! update-alternatives --query libblas.so.3-x86_64-linux-gnu 2>/dev/null | grep -q '^Value: .*openblas'; then
  apt-get install -y libopenblas0-pthread >&2
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
common=(--hidden 100 --window 5 --dim 50 --classes 5 --batch 1,32,256)
for r in $(seq 1 "$rounds"); do
  echo "round $r/$rounds: nerve" >&2
  "$root/nerve" bench "${common[@]}" --threads 1,2 --mode train,tag --json "$@" >> "$out/nerve.jsonl"
  "$root/nerve" bench "${common[@]}" --threads 1,2 --mode tag --precompute 20000 --json "$@" >> "$out/nerve.jsonl"
  for t in 1 2; do
    echo "round $r/$rounds: pytorch, $t thread(s)" >&2
    OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 "$py" "$root/benchmarks/peers/pytorch_window.py" \
      "${common[@]}" --threads "$t" --mode train,tag --max-seconds 2 >> "$out/torch.jsonl"
  done
done
echo "end to end: nerve tag on a large CoNLL file" >&2
"$root/benchmarks/tag-e2e.sh" 8 2 2> "$out/e2e.stats" >> "$out/e2e.jsonl"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
simd="$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|fma|avx512f|avx512bw|avx512vl)$' | tr '\n' ' ')"
echo "Machine: $cpu, $(nproc) cores, SIMD: $simd"
echo
"$py" - "$out/nerve.jsonl" "$out/torch.jsonl" "$out/e2e.jsonl" <<'PY'
import json, statistics, sys
from collections import defaultdict
rows = defaultdict(list)
for path in sys.argv[1:3]:
    for line in open(path):
        o = json.loads(line)
        rows[(o["impl"], o["mode"], o.get("precompute", 0), o["batch"], o["threads"])].append(o["tokens_per_s"])
med = {k: statistics.median(v) for k, v in rows.items()}
print("| mode | batch | threads | Nerve tokens/s | PyTorch tokens/s | Nerve/PyTorch |")
print("|---|---:|---:|---:|---:|---:|")
for (impl, mode, pre, batch, threads), v in sorted(med.items(), key=lambda kv: (kv[0][1] != "train", kv[0][2], kv[0][3], kv[0][4])):
    if impl != "nerve":
        continue
    t = med.get(("pytorch", mode, 0, batch, threads))
    name = mode + (f" (precompute {pre})" if pre else "")
    print(f"| {name} | {batch} | {threads} | {v:,.0f} | {t:,.0f} | {v / t:.1f}× |" if t else f"| {name} | {batch} | {threads} | {v:,.0f} | – | – |")
best = {}
for (impl, mode, pre, batch, threads), v in med.items():
    if impl == "pytorch":
        best[(mode, batch)] = max(best.get((mode, batch), 0), v)
print()
print("PyTorch at its best thread setting (max of 1 and 2 threads):")
print("| mode | batch | PyTorch best tokens/s | Nerve best tokens/s | Nerve/PyTorch |")
print("|---|---:|---:|---:|---:|")
for (mode, batch), t in sorted(best.items(), key=lambda kv: (kv[0][0] != "train", kv[0][1])):
    n = max(v for (impl, m, pre, b, th), v in med.items() if impl == "nerve" and m == mode and b == batch and pre == 0)
    print(f"| {mode} | {batch} | {t:,.0f} | {n:,.0f} | {n / t:.1f}× |")
    pre = [v for (impl, m, p, b, th), v in med.items() if impl == "nerve" and m == mode and b == batch and p > 0]
    if pre:
        print(f"| {mode} (Nerve precomputed) | {batch} | {t:,.0f} | {max(pre):,.0f} | {max(pre) / t:.1f}× |")
e2e = [json.loads(line) for line in open(sys.argv[3])]
print()
print("End to end (`benchmarks/tag-e2e.sh`: `nerve tag` on a CoNLL file, read + featurize + tag + write, process start included):")
print("| tokens | file MB | threads | tokens/s (median of 5) |")
print("|---:|---:|---:|---:|")
for o in e2e:
    print(f"| {o['tokens']:,} | {o['file_mb']:.1f} | {o['threads']} | {o['tokens_per_s']:,.0f} |")
PY
cat "$out/e2e.stats"
