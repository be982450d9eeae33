#!/usr/bin/env bash
# Times the World mixture sampler on one million tokens in a release build.
# Done-when: under 2 s. Usage: bench/world/run.sh [TOKENS] [MIX]
set -euo pipefail
cd "$(dirname "$0")/../.."
tokens="${1:-1M}"
mix="${2:-balanced}"
bash scripts/build-release.sh >&2
bin="$(swift build -c release --show-bin-path)/visionmix"
echo "# sampler: $tokens tokens of '$mix'"
"$bin" world bench --tokens "$tokens" --mix "$mix"
"$bin" world bench --tokens "$tokens" --mix "reasoning=60,visual=15"
echo "# per-source tag shares over $tokens tokens each (wall time includes all six sources)"
/usr/bin/time -f "%e s wall, %M KB max RSS" "$bin" world stats --tokens "$tokens"
