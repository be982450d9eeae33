#!/usr/bin/env bash
# The trainer's tokens/s on the BLAS libraries a Debian machine offers, side by side in one run:
# Debian's OpenBLAS (what visionmix links), BLIS (Debian's libblis4-serial, preloaded: its
# cblas_sgemm replaces OpenBLAS's), on the sub-configuration BLIS picks and, on a CPU with
# AVX-512, on its skx kernels; and the newer OpenBLAS that numpy ships on PyPI
# (scipy-openblas32, preloaded through blas_shim.c), on its own kernel choice. Configurations
# alternate within each repeat and the best of REPEATS is kept, because the cores are shared.
# SIZES (default "m l xl"), THREADS (2), STEPS (30), REPEATS (3). Results:
# bench/out/blas-alternatives.json and a table on stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZES=${SIZES:-m l xl}
THREADS=${THREADS:-2}
STEPS=${STEPS:-30}
REPEATS=${REPEATS:-3}
OUT=bench/out
mkdir -p "$OUT"
bash scripts/build-release.sh >&2
BIN=.build/release/visionmix

BLIS=/usr/lib/x86_64-linux-gnu/blis-serial/libblis.so.4
if [ ! -e "$BLIS" ] && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q libblis4-serial >&2 || true
fi
[ -e "$BLIS" ] || { echo "BLIS not installed (apt-get install libblis4-serial); measuring without it" >&2; BLIS=; }

# The newer OpenBLAS, from PyPI, into bench/.venv-blas (git-ignored), and the shim that maps the
# trainer's symbols onto its prefixed ones.
NEW=bench/.venv-blas
OPENBLAS_WHEEL=${OPENBLAS_WHEEL:-scipy-openblas32==0.3.34.481.3}
SHIM=
if [ ! -e "$NEW/lib/libscipy_openblas.so" ]; then
  rm -rf "$NEW/wheel"; mkdir -p "$NEW/wheel"
  if python3 -m pip download -q --no-deps -d "$NEW/wheel" "$OPENBLAS_WHEEL" >&2; then
    (cd "$NEW/wheel" && python3 -m zipfile -e ./*.whl .) && mkdir -p "$NEW/lib" \
      && cp "$NEW"/wheel/scipy_openblas32/lib/libscipy_openblas.so "$NEW/lib/"
  fi
fi
if [ -e "$NEW/lib/libscipy_openblas.so" ]; then
  gcc -O2 -shared -fPIC bench/trainer/blas_shim.c -o "$NEW/lib/libvisionmix_blas_shim.so" \
    -L"$NEW/lib" -lscipy_openblas -Wl,-rpath,"$PWD/$NEW/lib" && SHIM=$PWD/$NEW/lib/libvisionmix_blas_shim.so
fi
[ -n "$SHIM" ] || echo "the newer OpenBLAS ($OPENBLAS_WHEEL) could not be fetched; measuring without it" >&2

CONFIGS=("debian-openblas")
[ -n "$BLIS" ] && CONFIGS+=("blis")
[ -n "$BLIS" ] && grep -qw avx512f /proc/cpuinfo && CONFIGS+=("blis-skx")
[ -n "$SHIM" ] && CONFIGS+=("pypi-openblas")

run_config() {  # config size -> JSON on stdout
  local c=$1 s=$2 args=(train --benchmark --size "$2" --threads "$THREADS" --bench-steps "$STEPS" --json)
  case "$c" in
    debian-openblas) "$BIN" "${args[@]}" ;;
    blis) BLIS_NUM_THREADS=1 LD_PRELOAD=$BLIS "$BIN" "${args[@]}" ;;
    blis-skx) BLIS_ARCH_TYPE=0 BLIS_NUM_THREADS=1 LD_PRELOAD=$BLIS "$BIN" "${args[@]}" ;;
    pypi-openblas) LD_PRELOAD=$SHIM "$BIN" "${args[@]}" ;;
  esac
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
rm -f "$OUT"/blas-*.json.part
for s in $SIZES; do
  for r in $(seq "$REPEATS"); do
    for c in "${CONFIGS[@]}"; do
      run_config "$c" "$s" 2>/dev/null > "$OUT/blas-$c-$s-$r.json.part"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
BLIS_ARCH=$( [ -n "$BLIS" ] && BLIS_ARCH_DEBUG=1 LD_PRELOAD=$BLIS "$BIN" train --benchmark --size xs --bench-steps 1 --json 2>&1 >/dev/null \
  | sed -n "s/.*sub-configuration '\(.*\)'.*/\1/p" | head -1 || true)
python3 bench/trainer/blas_report.py "$OUT" "$SIZES" "$REPEATS" "${BLIS_ARCH:-}" "${CONFIGS[@]}"
rm -f "$OUT"/blas-*.json.part
