#!/bin/bash
# The one release build of `visionmix` that make and the benchmarks share (the xl studies
# run the binary it leaves in .build/release).
# Flags are part of SwiftPM's build state, so two callers with different flags would each
# rebuild everything; keeping them here keeps them equal.
# -gnone: no DWARF debug info. The trainer runs as fast without it (measured side by side)
# and a fresh build takes about a tenth less time (docs/performance.md).
# -target-cpu haswell when this machine has AVX2 and FMA: Swift otherwise compiles for the
# x86-64 baseline (SSE2), so the trainer's own loops (softmax, GELU, norms, AdamW) run 4 floats
# wide. Swift does not fuse multiply-adds or reorder float sums, so every result is identical
# to the baseline build's (checked: docs/performance.md). The binary then needs an AVX2 CPU,
# and on one without it stops with a message that says so; VISIONMIX_TARGET_CPU=x86-64 builds
# for any.
set -euo pipefail
cd "$(dirname "$0")/.."
cpu=${VISIONMIX_TARGET_CPU:-}
if [ -z "$cpu" ] && [ "$(uname -m)" = x86_64 ] && grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  cpu=haswell
fi
flags=(-Xswiftc -gnone)
[ -n "$cpu" ] && [ "$cpu" != x86-64 ] && flags+=(-Xswiftc -target-cpu -Xswiftc "$cpu")
# The binary checks at start that the CPU has what it was compiled for (BuildTarget.swift).
[ "$cpu" = haswell ] && flags+=(-Xswiftc -DVISIONMIX_NEEDS_AVX2)
exec "${SWIFT:-swift}" build -c release --product visionmix "${flags[@]}" "$@"
