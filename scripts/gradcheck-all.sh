#!/usr/bin/env bash
# Runs `nerve gradcheck --engine both` for every head × depth × activation × L2 and reports the worst manual–graph gap.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fails=0; n=0; worst=0
for out in softmax sigmoid crf; do for layers in 1 2 3; do for act in tanh sigmoid relu hardtanh; do for l2 in 0 0.1; do
  n=$((n + 1))
  if ! log=$("$root/nerve" gradcheck --engine both --output $out --layers $layers --activation $act --l2 $l2); then
    fails=$((fails + 1)); echo "FAIL: --output $out --layers $layers --activation $act --l2 $l2"
  fi
  gap=$(grep -o 'gradients: [0-9.E+-]*' <<<"$log" | cut -d' ' -f2)
  worst=$(python3 -c "print(max($worst, float('$gap')))" 2>/dev/null || echo "$worst")
done; done; done; done
echo "$n configurations, $fails failed; largest |manual − graph| = $worst"
[[ $fails == 0 ]]
