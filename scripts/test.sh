#!/usr/bin/env bash
# Runs every test of the project: Rust unit and integration tests, then the
# browser tests of the built sample site. Installs what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo test --release --all-targets --no-fail-fast

if [ -x scripts/browser-tests.sh ]; then
  scripts/browser-tests.sh
fi
