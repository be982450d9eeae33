#!/usr/bin/env bash
# `make browser-test`: the dashboard in headless Chromium, driven by Selenium
# (Tests/browser/dashboard_test.py), against a real `visionmix serve` on a loopback port with a
# bearer token set. The store is seeded with the paper's results and the shipped calibration
# data, fitted here as `visionmix fit` fits them:
#   paper           the paper's 13 mixture runs, every category (laws of the two shares)
#   paper_scaling   the paper's scaling runs (five sizes, several budgets)
#   calibration     data/calibration/standard.csv, vqa_avg and text_acc (size laws with the
#                   held-out size, then the mixture laws at xl): scores with chance levels
#   xl_mix          data/calibration/xl-mix.csv, vqa_avg and text_acc as laws of the six
#                   source weights (mixing_exponential), for the planner's six sliders
# Screenshots go to $VISIONMIX_SCREENSHOTS (default: a temporary directory, printed);
# `VISIONMIX_SCREENSHOTS=docs/dashboard make browser-test` renews the ones the docs show.
# Installs chromium, chromium-driver and Selenium when missing (Selenium into a venv under .build).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

missing=""
for p in chromium chromium-driver fonts-dejavu-core; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
PY=python3
if ! python3 -c "import selenium" 2>/dev/null; then
    python3 -c "import venv, ensurepip" 2>/dev/null || missing="$missing python3-venv"
fi
if [ -n "$missing" ]; then
    echo "installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if ! python3 -c "import selenium" 2>/dev/null; then
    venv=.build/browser-venv
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/python" -c "import selenium" 2>/dev/null || "$venv/bin/pip" install -q selenium
    PY=$venv/bin/python
fi

swift build --product visionmix
BIN=.build/debug/visionmix
WORK=$(mktemp -d)
DB="$WORK/visionmix.sqlite"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "seeding $DB"
vm() { "$BIN" "$@" --db "$DB" >/dev/null 2>>"$WORK/seed.log" || { cat "$WORK/seed.log" >&2; exit 1; }; }
vm runs import data/reference/paper-mixtures.csv --source paper
vm runs import data/reference/paper-scaling.csv --source paper_scaling --mix web_crawl
vm runs import data/calibration/standard.csv --source calibration
vm runs import data/calibration/xl-mix.csv --source xl_mix
vm fit --source paper --all
vm fit --source paper_scaling --all
for c in vqa_avg text_acc; do
    vm fit --source calibration --category "$c"
    vm fit --source calibration --category "$c" --family auto-mixture
    vm fit --source xl_mix --category "$c" --family mixing_exponential
done

# The server (and the sweeps it starts) get a token: the test checks that the pages send it.
SERVER_TOKEN="browser-$RANDOM$RANDOM"
. bench/server/common.sh
launch_server "$PWD"

SHOTS=${VISIONMIX_SCREENSHOTS:-$WORK/screenshots}
mkdir -p "$SHOTS"
SHOTS=$(cd "$SHOTS" && pwd)
VISIONMIX_TOKEN="$SERVER_TOKEN" "$PY" Tests/browser/dashboard_test.py "$BASE" "$SHOTS"
# Palette PNGs a third of the size, when pngquant is there (the copies in docs/dashboard are).
if command -v pngquant >/dev/null; then pngquant --quality 60-85 --strip --force --ext .png "$SHOTS"/*.png; fi
if [ -z "${VISIONMIX_SCREENSHOTS:-}" ]; then
    keep=$(mktemp -d /tmp/visionmix-screenshots.XXXX)
    cp "$SHOTS"/*.png "$keep"/
    echo "screenshots: $keep (set VISIONMIX_SCREENSHOTS=DIR to choose)"
fi
