#!/usr/bin/env bash
# Installs the Debian packages the test run needs when they are missing: Chromium for the
# browser tests, PostgreSQL for the second database run, GNU gettext for the translation check.
# It only installs as root (CI and the project's machines); elsewhere it says what is missing.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
fc-list 2>/dev/null | grep -qi "liberation" || missing+=(fonts-liberation)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]} (install them as root); the tests that need them will be skipped." >&2
  exit 0
fi
echo "Installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
