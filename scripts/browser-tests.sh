#!/usr/bin/env bash
# Real-browser tests of the default theme and site search.
#
#   scripts/browser-tests.sh            # build the sample site (release) into a temp dir, test it
#   scripts/browser-tests.sh DIR        # test an already built site in DIR
#
# Needs: Debian's chromium (installed here with apt-get when missing), Java
# (for the Nu HTML Checker; installed when missing), Node 18+ and npm. Runs
# `npm ci`, then `node --test tests/browser/`: the Nu HTML Checker over the
# whole site, and Chromium through playwright-core (navigation, search,
# keyboard, phone viewport, dark mode, print, metadata, console errors,
# axe-core). Screenshots go to docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "== installing Debian's chromium"
  apt_install chromium
fi
if ! command -v java >/dev/null; then
  echo "== installing Java for the Nu HTML Checker"
  apt_install default-jre-headless
fi

echo "== npm ci"
# --ignore-scripts: vnu-jar ships its jar; its postinstall would only try to
# download a Java runtime, and nothing else here needs install scripts.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

if [ $# -ge 1 ]; then
  SITE_DIR="$(cd "$1" && pwd)"
else
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  SITE_DIR="$tmp/site"
  echo "== building the sample site into $SITE_DIR"
  cargo run --release --quiet -- build --root . --output "$SITE_DIR"
fi
export SITE_DIR

echo "== node --test tests/browser/ (site: $SITE_DIR)"
node --test tests/browser/
