#!/usr/bin/env bash
# A roofline for a configuration's model (default: configs/conll2003-en.json): the FLOPs per token of training and of
# tagging, counted from the model's shape as `nerve bench --config` reports it, against this machine's measured peak
# (single-precision GEMM through OpenBLAS, numpy's float32 matmul of 2048² matrices, best of 5, on 1 and 2 threads,
# the best of OpenBLAS's own kernel choice and of the SkylakeX and Haswell kernels the CPU supports),
# and what a given speed needs. Counts (per token; S = the slot width, I = C·S, H hidden, K classes):
#   training: first layer 3 · 2HI (z = Wx, ∂J/∂x = Wᵀδ, ∂J/∂W = δxᵀ), output layer 3 · 2KH, the character
#             convolution 3 · 2·P·w·d·F (P positions, about 9 for a word of 7 letters between <w> and </w>), and
#             AdaGrad's dense pass over W, b, U once per sentence (4 flops a parameter, over 14.5 tokens);
#   tagging:  the forward only, 2HI + 2KH + 2·P·w·d·F; with the first-layer cache (Chen & Manning) 2HI becomes
#             C·F' row additions of H (F' tables, plus one for the character feature) when every row is cached.
# Usage: benchmarks/roofline.sh [config] [train tokens/s target=60000] [tag tokens/s target=500000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
config="${1:-$root/configs/conll2003-en.json}"
train_target="${2:-60000}" tag_target="${3:-500000}"
py=/usr/bin/python3
"$py" -c 'import numpy' 2>/dev/null || { apt-get update >&2 && apt-get install -y python3-numpy libopenblas0-pthread >&2; }
shape="$("$root/nerve" bench --config "$config" --mode tag --threads 1 --tokens 2000 --repetitions 1 --json | head -1)"
peak() { # threads, then the OpenBLAS core ("" = its own choice); prints GFLOP/s
  env -u OPENBLAS_CORETYPE ${2:+OPENBLAS_CORETYPE=$2} OPENBLAS_NUM_THREADS="$1" OMP_NUM_THREADS="$1" "$py" - <<'PY'
import time, numpy as np
n = 2048
a = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
b = np.random.default_rng(2).standard_normal((n, n), dtype=np.float32)
a @ b
best = min((lambda t0: (a @ b, time.perf_counter() - t0)[1])(time.perf_counter()) for _ in range(5))
print(f"{2 * n ** 3 / best / 1e9:.1f}")
PY
}
flags="$(grep -m1 '^flags' /proc/cpuinfo)"
cores=("")
grep -qw avx512f <<< "$flags" && cores+=(SkylakeX)
grep -qw avx2 <<< "$flags" && cores+=(Haswell)
p1=0 p2=0 core=""
for c in "${cores[@]}"; do
  a="$(peak 1 "$c")" b="$(peak 2 "$c")"
  if awk -v a="$b" -v b="$p2" 'BEGIN { exit !(a > b) }'; then p1="$a" p2="$b" core="${c:-$(env -u OPENBLAS_CORETYPE OPENBLAS_VERBOSE=2 "$py" -c 'import numpy as np; a = np.ones((64, 64), np.float32); a @ a' 2>&1 | sed -n 's/^Core: *//p' | head -1) (its own choice)}"; fi
done
"$py" - "$shape" "$p1" "$p2" "$train_target" "$tag_target" "${core:-unknown}" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" <<'PY'
import json, sys
shape, p1, p2, train_target, tag_target, core, cpu = json.loads(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
tables = [tuple(int(v) for v in t.split(":")) for t in shape["tables"].split(",")]
C, H, K = shape["window"], shape["hidden"], shape["classes"]
chars = [int(v) for v in shape["chars"].split(":")] if shape.get("chars") else None
S = sum(d for _, d in tables) + (chars[2] if chars else 0)
I = C * S
positions = 9
char_fwd = 2 * positions * chars[3] * chars[1] * chars[2] if chars else 0
first, out = 2 * H * I, 2 * K * H
dense = H * I + H + K * H + K
train = 3 * first + 3 * out + 3 * char_fwd + 4 * dense / 14.5
tag = first + out + char_fwd
tag_cached = C * (len(tables) + (1 if chars else 0)) * H + out + H  # row sums, U h, tanh counted as one a unit
print(f"# Roofline: {shape['config']} on {cpu}; the peak with OpenBLAS's {core} kernels")
print(f"model: C = {C}, S = {S} ({len(tables)} tables{', character CNN ' + str(chars[2]) + ' filters' if chars else ''}), I = C·S = {I}, H = {H}, K = {K}")
print(f"measured peak (sgemm 2048², best of 5): {p1} GFLOP/s on 1 thread, {p2} on 2")
print()
print("| work | MFLOP per token | target tokens/s | GFLOP/s needed | share of the 2-thread peak |")
print("|---|---:|---:|---:|---:|")
for name, f, target in [("training step", train, train_target), ("tagging, plain forward", tag, tag_target), ("tagging, every first-layer row cached", tag_cached, tag_target)]:
    need = f * target / 1e9
    print(f"| {name} | {f / 1e6:.2f} | {target:,} | {need:.0f} | {100 * need / p2:.0f}% |")
print()
print(f"At the peak, training could run at most {p2 * 1e9 / train:,.0f} tokens/s and the plain tagger {p2 * 1e9 / tag:,.0f};")
print("the GEMMs of one sentence (about 14 rows) or one batch of 256 windows reach a fraction of the peak, not all of it.")
PY
