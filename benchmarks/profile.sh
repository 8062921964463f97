#!/usr/bin/env bash
# Where the time goes: samples a nerve command with dotnet-trace (EventPipe's sample profiler, ~1 ms) and prints the
# methods with the largest share of samples, self (the method itself) and inclusive (with its callees).
# Usage: benchmarks/profile.sh [top=15] -- <nerve arguments...>
#   e.g. benchmarks/profile.sh 15 -- bench --mode tag --batch 256 --threads 1 --precompute 20000
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
top="${1:-15}"
shift
[ "${1:-}" = "--" ] && shift
tools="$root/.tools"
if [ ! -x "$tools/dotnet-trace" ]; then
  dotnet tool install --tool-path "$tools" dotnet-trace --version 10.0.750501 >&2
fi
"$root/nerve" --help > /dev/null # build if needed
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$tools/dotnet-trace" collect --format speedscope --output "$out/trace.nettrace" --show-child-io false \
  -- dotnet "$root/src/Nerve.Cli/bin/Release/net10.0/Nerve.Cli.dll" "$@" > "$out/collect.log" 2>&1 || { cat "$out/collect.log" >&2; exit 1; }
python3 - "$out"/*.speedscope.json "$top" <<'PY'
import json, sys
from collections import Counter
doc = json.load(open(sys.argv[1]))
frames = [f["name"] for f in doc["shared"]["frames"]]
top = int(sys.argv[2])
pseudo = {"CPU_TIME", "UNMANAGED_CODE_TIME"}  # the leaf the exporter adds below the sampled method
self_, incl, total = Counter(), Counter(), 0
for p in doc["profiles"]:
    if p["type"] != "evented":
        continue
    # Evented profile: open/close events per frame; attribute elapsed time to the open stack.
    stack, last = [], None
    for e in p["events"]:
        if last is not None and stack:
            dt = e["at"] - last
            total += dt
            leaf = next((f for f in reversed(stack) if frames[f] not in pseudo), stack[-1])
            self_[leaf] += dt
            for f in set(stack):
                incl[f] += dt
        last = e["at"]
        if e["type"] == "O":
            stack.append(e["frame"])
        elif stack:
            stack.pop()
def name(i):
    # "Module!Namespace.Type`2[args].Method(params)" → "Type.Method"
    n = frames[i].split("!", 1)[-1]
    n = n.split("(", 1)[0]
    depth, plain = 0, []
    for ch in n:
        depth += ch == "["
        if depth == 0:
            plain.append(ch)
        depth -= ch == "]"
    parts = "".join(plain).replace("`1", "").replace("`2", "").split(".")
    return ".".join(parts[-2:])
skip = ("Thread", "Wait", "Sleep", "Monitor", "Idle", "LowLevelLifoSemaphore", "SemaphoreSlim", "ManualResetEventSlim", "WaitHandle")
busy = sum(v for f, v in self_.items() if not any(s in frames[f] for s in skip))
print(f"samples: {total:.0f} ms over all threads, {busy:.0f} ms outside waits")
print("\nself (% of busy time)")
for f, v in self_.most_common(4 * top):
    if any(s in frames[f] for s in skip):
        continue
    print(f"{100 * v / busy:6.1f}%  {name(f)}")
    top -= 1
    if top == 0:
        break
PY
