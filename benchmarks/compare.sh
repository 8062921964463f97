#!/usr/bin/env bash
# Nerve against the same networks in PyTorch, same data shapes, alternating for a few rounds so both see the same
# machine load; prints medians over rounds and Nerve/PyTorch. Two shapes: the PA4 window network
# (benchmarks/peers/pytorch_window.py: H = 100, C = 5, words only, softmax) and the default English model
# (benchmarks/peers/pytorch_default.py against `nerve bench --config configs/conll2003-en.json`: H = 400, C = 7,
# twelve feature tables, dropout, CRF). PyTorch runs with 1 and with 2 threads and every row takes its best.
# OpenBLAS falls back to its Prescott kernels on a CPU it does not recognise; the script then sets OPENBLAS_CORETYPE
# from /proc/cpuinfo (SkylakeX with AVX-512, Haswell with AVX2) and records the core it ends up with.
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
flags="$(grep -m1 '^flags' /proc/cpuinfo)"
# The kernel set OpenBLAS picks: OPENBLAS_VERBOSE=2 prints "Core: <name>" when the library loads.
blas_core() {
  OPENBLAS_VERBOSE=2 "$py" -c 'import torch; torch.mm(torch.ones(64, 64), torch.ones(64, 64))' 2>&1 \
    | sed -n 's/^Core: *//p' | head -1
}
core="$(blas_core)"
want=""
if grep -qw avx512f <<< "$flags"; then want=SkylakeX
elif grep -qw avx2 <<< "$flags"; then want=Haswell
fi
# Set the core when OpenBLAS fell back to a generic one (Prescott and older), or took an AVX2 core on an AVX-512 CPU
# (AMD Zen 4 is reported as Zen or Haswell by OpenBLAS versions that predate it). An OPENBLAS_CORETYPE given stands.
if [[ -z "${OPENBLAS_CORETYPE:-}" && -n "$want" && "$core" != "$want" && \
      ( -z "$core" || "$core" == Prescott || "$core" == Katmai || "$core" == Northwood || "$want" == SkylakeX ) && \
      ! "$core" =~ ^(Cooperlake|CooperLake|SapphireRapids)$ ]]; then
  export OPENBLAS_CORETYPE=$want
  echo "OpenBLAS chose the ${core:-unknown} kernels on a CPU with ${want}'s instructions; set OPENBLAS_CORETYPE=$want" >&2
  core="$(blas_core)"
fi
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
simd="$(tr ' ' '\n' <<< "$flags" | grep -E '^(avx2|fma|avx512f|avx512bw|avx512vl)$' | tr '\n' ' ')"
torch_version="$("$py" -c 'import torch; print(torch.__version__)')"
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
  echo "round $r/$rounds: nerve, default English model" >&2
  "$root/nerve" bench --config "$root/configs/conll2003-en.json" --threads 1,2 --tokens 50000 --repetitions 3 --json >> "$out/nerve-default.jsonl"
  tables="$(head -1 "$out/nerve-default.jsonl" | "$py" -c 'import json, sys; print(json.loads(sys.stdin.readline())["tables"])')"
  classes="$(head -1 "$out/nerve-default.jsonl" | "$py" -c 'import json, sys; print(json.loads(sys.stdin.readline())["classes"])')"
  chars="$(head -1 "$out/nerve-default.jsonl" | "$py" -c 'import json, sys; print(json.loads(sys.stdin.readline()).get("chars") or "")')"
  for t in 1 2; do
    echo "round $r/$rounds: pytorch, default English model, $t thread(s)" >&2
    OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 "$py" "$root/benchmarks/peers/pytorch_default.py" \
      --tables "$tables" --chars "$chars" --hidden 400 --window 7 --classes "$classes" --batch 1 --threads "$t" --mode train,tag \
      --tokens 50000 --max-seconds 3 >> "$out/torch-default.jsonl"
  done
done
echo "end to end: nerve tag on a large CoNLL file" >&2
"$root/benchmarks/tag-e2e.sh" 8 2 2> "$out/e2e.stats" >> "$out/e2e.jsonl"
echo "end to end: the default English model (trained for one epoch)" >&2
"$root/benchmarks/tag-e2e.sh" 8 2 default 2>> "$out/e2e.stats" >> "$out/e2e.jsonl"
echo "Machine: $cpu, $(nproc) cores, SIMD: $simd"
echo "PyTorch $torch_version; OpenBLAS core: ${core:-unknown}${OPENBLAS_CORETYPE:+ (OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE)}"
echo "PyTorch rows: the best of 1 and 2 threads (OMP_NUM_THREADS), per row; Nerve rows: the thread count given."
echo
"$py" - "$out/nerve.jsonl" "$out/torch.jsonl" "$out/e2e.jsonl" "$out/nerve-default.jsonl" "$out/torch-default.jsonl" <<'PY'
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
print("| model | tokens | file MB | threads | tokens/s (median of 5) | model load, s | peak RSS, MB |")
print("|---|---:|---:|---:|---:|---:|---:|")
for o in e2e:
    print(f"| {o.get('model', 'pa4')} | {o['tokens']:,} | {o['file_mb']:.1f} | {o['threads']} | {o['tokens_per_s']:,.0f} | {o.get('load_s', '–')} | {o.get('peak_rss_mb', '–')} |")
d = defaultdict(list)
for path in sys.argv[4:6]:
    for line in open(path):
        o = json.loads(line)
        d[(o["impl"], o["mode"], o["threads"])].append(o["tokens_per_s"])
dm = {k: statistics.median(v) for k, v in d.items()}
print()
shape = json.loads(open(sys.argv[4]).readline())
chars = f", a character CNN of {shape['chars'].split(':')[2]} filters" if shape.get("chars") else ""
print(f"Default English model (H = {shape['hidden']}, C = {shape['window']}, {len(shape['tables'].split(','))} feature tables{chars}, dropout 0.3/0.5, CRF, AdaGrad; batch 1 sentence; tag: batches of")
print("about 256 windows, Viterbi). Nerve: `nerve bench --config configs/conll2003-en.json` (the trainer's step, the")
print("tagger as `nerve tag` runs it, its cache filled on use). PyTorch: benchmarks/peers/pytorch_default.py, the same")
print("shape with the CRF's forward algorithm and Viterbi in torch, best of 1 and 2 threads:")
print("| mode | Nerve 1 thread | Nerve 2 threads | PyTorch best | Nerve best/PyTorch best |")
print("|---|---:|---:|---:|---:|")
for mode in ("train", "tag"):
    n1, n2 = dm.get(("nerve", mode, 1)), dm.get(("nerve", mode, 2))
    t = max((v for (impl, m, th), v in dm.items() if impl == "pytorch" and m == mode), default=None)
    nb = max(x for x in (n1, n2) if x is not None) if (n1 or n2) else None
    f = lambda x: f"{x:,.0f}" if x else "–"
    print(f"| {mode} | {f(n1)} | {f(n2)} | {f(t)} | {nb / t:.1f}× |" if nb and t else f"| {mode} | {f(n1)} | {f(n2)} | {f(t)} | – |")
PY
cat "$out/e2e.stats"
