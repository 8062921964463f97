#!/usr/bin/env bash
# Builds nerve as one self-contained executable (no .NET needed on the target machine), for cluster nodes and
# containers: dotnet publish -r RID --self-contained -p:PublishSingleFile=true, renamed to `nerve`.
# Usage: scripts/publish.sh [--rid linux-x64] [--out DIR]      (default DIR: artifacts/publish/RID)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rid=linux-x64 out=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rid) rid="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "usage: scripts/publish.sh [--rid RID] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
out="${out:-$root/artifacts/publish/$rid}"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
dotnet publish "$root/src/Nerve.Cli/Nerve.Cli.csproj" -c Release -r "$rid" --self-contained \
  -p:PublishSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none \
  -o "$stage" -nologo -v quiet >&2
mkdir -p "$out"
exe=Nerve.Cli; [[ $rid == win-* ]] && exe=Nerve.Cli.exe
install -m 755 "$stage/$exe" "$out/nerve${exe#Nerve.Cli}"
echo "$out/nerve${exe#Nerve.Cli}"
