#!/usr/bin/env bash
# `make bench-e2e`: the service path end to end (issue 12): intake, validation and aggregation on their
# own nats-server and SQLite (started and stopped by the benchmark), a round of 70 partners loaded,
# then 200-row submissions one at a time and 8 at once: upload -> HTTP answer, -> accepted, -> its
# dataset version listed, -> its files; p50/p95/max beside the offline outputs::build of the same round.
# Release build. Prints figures, asserts nothing. ROUNDS="14000 100000" by default.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-"14000 100000"}
echo "bench-e2e: building (release)"
cargo build -q --release -p jvap-tests -p jvap-worker --bins
# shellcheck disable=SC2086
./target/release/jvap-bench-e2e $ROUNDS
echo
echo "goals (issue 12): upload -> version listed p50 <= 200 ms, p99 <= 500 ms, one at a time and 8 at once,"
echo "at any round size; the files of the latest version within 5 s more"
