#!/usr/bin/env bash
# Renders the dashboard (GET /) of a live `visionmix serve` with headless Chromium into
# docs/dashboard.png. The server runs on a free loopback port over a temporary database
# seeded with the paper's mixtures and scaling curves.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v chromium >/dev/null; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi
. bench/server/common.sh
trap stop_server EXIT
start_server
OUT=${1:-docs/dashboard.png}
mkdir -p "$(dirname "$OUT")"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,760 \
    --screenshot="$OUT" "$BASE/?source=paper_scaling" 2>/dev/null
ls -l "$OUT"
