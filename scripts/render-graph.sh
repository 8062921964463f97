#!/usr/bin/env bash
# Renders the window network's computation graph (lecture 3, Figures 1 and 2) to SVG with Graphviz.
# Installs Debian's graphviz if `dot` is missing. Usage: scripts/render-graph.sh [OUT_DIR] [extra `nerve graph` options]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/runs}"; shift || true
if ! command -v dot >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
fi
mkdir -p "$out"
"$root/nerve" graph --dot "$@" | dot -Tsvg > "$out/graph-forward.svg"
"$root/nerve" graph --dot --backward "$@" | dot -Tsvg > "$out/graph-backward.svg"
echo "wrote $out/graph-forward.svg and $out/graph-backward.svg"
