#!/usr/bin/env bash
# Run by the build before the tests (and by .ci/run): BrowserDashboardTest drives Debian's headless Chromium.
# Installs it when it is missing and this machine can (root with apt-get); otherwise says how, and the
# test fails naming what is missing. CHROMIUM_BIN pointing at an executable skips all of this.
set -euo pipefail
if [ -n "${CHROMIUM_BIN:-}" ] || command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for BrowserDashboardTest (once)"
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
else
    echo "BrowserDashboardTest needs Chromium: apt-get install -y chromium, or set CHROMIUM_BIN" >&2
fi
