#!/usr/bin/env bash
# Regenerates Sources/OTLP/Generated/*.pb.swift from the hand-written OTLP
# subset in Protos/.
#
#   scripts/generate-otlp.sh
#   PROTOC_GEN_SWIFT=/path/to/protoc-gen-swift scripts/generate-otlp.sh
#
# Without PROTOC_GEN_SWIFT the plugin is built from swift-protobuf at the same
# tag the package depends on (generated code and runtime must agree), in a
# scratch directory that is removed afterwards. protoc comes from PATH
# (Debian: protobuf-compiler) or from PROTOC.
set -euo pipefail

SWIFT_PROTOBUF_VERSION=1.39.0
root="$(cd "$(dirname "$0")/.." && pwd)"
protoc="${PROTOC:-protoc}"
out="$root/Sources/OTLP/Generated"

command -v "$protoc" >/dev/null || { echo "error: protoc not found (apt-get install protobuf-compiler)" >&2; exit 1; }

if [ -z "${PROTOC_GEN_SWIFT:-}" ]; then
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' EXIT
  echo "building protoc-gen-swift $SWIFT_PROTOBUF_VERSION in $scratch" >&2
  git -c advice.detachedHead=false clone --quiet --branch "$SWIFT_PROTOBUF_VERSION" \
    https://github.com/apple/swift-protobuf "$scratch/swift-protobuf"
  swift build -c release --package-path "$scratch/swift-protobuf" --product protoc-gen-swift >&2
  PROTOC_GEN_SWIFT="$scratch/swift-protobuf/.build/release/protoc-gen-swift"
fi

[ -x "$PROTOC_GEN_SWIFT" ] || { echo "error: $PROTOC_GEN_SWIFT is not executable" >&2; exit 1; }
plugin_version="$("$PROTOC_GEN_SWIFT" --version | awk '{print $NF}')"
if [ "$plugin_version" != "$SWIFT_PROTOBUF_VERSION" ]; then
  echo "warning: protoc-gen-swift is $plugin_version, the package pins swift-protobuf $SWIFT_PROTOBUF_VERSION" >&2
fi

protos=()
while IFS= read -r file; do protos+=("$file"); done < <(cd "$root/Protos" && find . -name '*.proto' | sed 's|^\./||' | LC_ALL=C sort)

mkdir -p "$out"
rm -f "$out"/*.pb.swift
# DropPath: file names are unique across the subset (trace.pb.swift vs
# trace_service.pb.swift), and short names read better in the source tree.
"$protoc" \
  --plugin=protoc-gen-swift="$PROTOC_GEN_SWIFT" \
  --proto_path="$root/Protos" \
  --swift_out="$out" \
  --swift_opt=Visibility=Public \
  --swift_opt=FileNaming=DropPath \
  "${protos[@]}"

echo "generated $(ls "$out"/*.pb.swift | wc -l) files in ${out#"$root"/}" >&2
