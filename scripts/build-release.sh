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
# -target-cpu znver4 on an AMD CPU with Zen 4's AVX-512 set (BuildTarget.zen4Flags; a test keeps the two lists equal):
# LLVM then runs those loops 16 floats wide, 3-7% more tokens/s from m to xl on the AVX-512 EPYC
# with the same bits (docs/performance.md). Intel CPUs with AVX-512 keep haswell: skylake-avx512
# measured no faster here, and LLVM keeps its loops 8 wide there.
set -euo pipefail
cd "$(dirname "$0")/.."
cpu=${VISIONMIX_TARGET_CPU:-}
has() { for f in "$@"; do grep -qw "$f" /proc/cpuinfo || return 1; done; }
zen4=(avx2 fma avx512f avx512bw avx512cd avx512dq avx512vl avx512ifma avx512vbmi avx512_vbmi2 avx512_vnni
      avx512_bitalg avx512_vpopcntdq avx512_bf16 gfni vaes vpclmulqdq)
if [ -z "$cpu" ] && [ "$(uname -m)" = x86_64 ] && has avx2 fma; then
  cpu=haswell
  grep -qw AuthenticAMD /proc/cpuinfo && has "${zen4[@]}" && cpu=znver4
fi
flags=(-Xswiftc -gnone)
[ -n "$cpu" ] && [ "$cpu" != x86-64 ] && flags+=(-Xswiftc -target-cpu -Xswiftc "$cpu")
# The binary checks at start that the CPU has what it was compiled for (BuildTarget.swift).
[ "$cpu" = haswell ] && flags+=(-Xswiftc -DVISIONMIX_NEEDS_AVX2)
[ "$cpu" = znver4 ] && flags+=(-Xswiftc -DVISIONMIX_NEEDS_ZEN4)
exec "${SWIFT:-swift}" build -c release --product visionmix "${flags[@]}" "$@"
