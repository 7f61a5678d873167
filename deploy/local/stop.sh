#!/usr/bin/env bash
# `make stop`: stops what `make run` started (services first, NATS last, so nothing is cut mid-write).
set -u
cd "$(dirname "$0")/../.."
DATA=${JVAP_DATA_DIR:-$PWD/data}
for name in intake validation aggregation nats; do
  pidfile="$DATA/pids/$name.pid"
  [ -s "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    echo "stopped $name"
  fi
  rm -f "$pidfile"
done
