#!/bin/bash
# The one release build of `visionmix` that make and the benchmarks share (the xl studies
# run the binary it leaves in .build/release).
# Flags are part of SwiftPM's build state, so two callers with different flags would each
# rebuild everything; keeping them here keeps them equal.
# -gnone: no DWARF debug info. The trainer runs as fast without it (measured side by side)
# and a fresh build takes about a tenth less time (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${SWIFT:-swift}" build -c release --product visionmix -Xswiftc -gnone "$@"
