#!/usr/bin/env bash
# `make run`: installs what is missing, builds, starts NATS and the three services on SQLite under
# ./data, loads the sample workbooks as a demo round, and prints the address and demo tokens.
# Everything runs in the background; `make stop` stops it. Logs are in data/logs/.
set -euo pipefail
cd "$(dirname "$0")/../.."

DATA=${JVAP_DATA_DIR:-$PWD/data}
PORT=${JVAP_HTTP_PORT:-8080}
NATS_PORT=${JVAP_NATS_PORT:-4222}
ROUND=${JVAP_ROUND:-2022}
SAMPLES=${JVAP_SAMPLES:-$PWD/../shared/samples}
if [ "$(id -u)" = 0 ]; then TOOLS=/opt/jvap-tools; else TOOLS="${XDG_DATA_HOME:-$HOME/.local/share}/jvap-tools"; fi

bash deploy/local/setup.sh run
echo "run: building (the first time about 6 minutes on 2 cores)"
cargo build -q --bins
BIN=$PWD/target/debug

mkdir -p "$DATA/logs" "$DATA/pids" "$DATA/tokens" "$DATA/nats"
bash deploy/local/stop.sh >/dev/null 2>&1 || true

start() { # name, command...
  local name=$1; shift
  nohup "$@" >"$DATA/logs/$name.log" 2>&1 &
  echo $! >"$DATA/pids/$name.pid"
}
wait_for() { # what, command
  for _ in $(seq 200); do eval "$2" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "run: $1 did not start; see $DATA/logs/" >&2; exit 1
}

start nats "$TOOLS/bin/nats-server" -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$DATA/nats"
wait_for "nats-server" "(exec 3<>/dev/tcp/127.0.0.1/$NATS_PORT)"

[ -s "$DATA/tokens/admin.token" ] || od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$DATA/tokens/admin.token"
ADMIN=$(cat "$DATA/tokens/admin.token")
export JVAP_NATS_URL="nats://127.0.0.1:$NATS_PORT" JVAP_DATA_DIR="$DATA" JVAP_ROUND="$ROUND"
# JetStream reserves each object store's limit on disk when it is created; a demo needs little.
export JVAP_UPLOADS_MAX_BYTES=${JVAP_UPLOADS_MAX_BYTES:-1GiB} JVAP_REPORTS_MAX_BYTES=${JVAP_REPORTS_MAX_BYTES:-1GiB} \
  JVAP_DATASETS_MAX_BYTES=${JVAP_DATASETS_MAX_BYTES:-1GiB}
start aggregation "$BIN/jvap-aggregation"
start validation "$BIN/jvap-validation"
JVAP_HTTP_ADDR="127.0.0.1:$PORT" JVAP_ADMIN_TOKEN="$ADMIN" start intake "$BIN/jvap-intake"
SERVER="http://127.0.0.1:$PORT"
wait_for "intake" "curl -sf $SERVER/healthz"

issue() { # role [partner] -> token, kept in data/tokens so a second `make run` shows the same ones
  local file="$DATA/tokens/${2:-$1}.token"
  if [ ! -s "$file" ]; then
    local body="{\"role\":\"$1\"${2:+,\"partner\":\"$2\"},\"label\":\"demo\"}"
    curl -sf -X POST "$SERVER/api/v1/tokens" -H "Authorization: Bearer $ADMIN" \
      -H 'content-type: application/json' -d "$body" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' >"$file"
  fi
  cat "$file"
}

# The demo starts from a baseline: the accepted samples consolidated offline as round 2020 (the same
# files give the same initiatives), imported with their ids, and $ROUND opened from it, so the
# samples sent below update a round that already holds them rather than fill an empty one.
BASELINE=${JVAP_BASELINE_ROUND:-2020}
"$BIN/jvap" consolidate "$SAMPLES" --out "$DATA/baseline-$BASELINE" --round "$BASELINE" >/dev/null || true
"$BIN/jvap" admin import-baseline "$DATA/baseline-$BASELINE/dataset.json" --round "$BASELINE" ||
  echo "run: the $BASELINE baseline was imported before; kept as it is"
"$BIN/jvap" --server "$SERVER" --token "$ADMIN" round open --round "$ROUND" --from "$BASELINE" >/dev/null
ANALYST=$(issue analyst)
echo "run: loading the demo round from $SAMPLES"
for file in "$SAMPLES"/*.xlsx "$SAMPLES"/*.xls "$SAMPLES"/*.ods "$SAMPLES"/*.csv; do
  [ -e "$file" ] || continue
  partner=$(basename "$file" | cut -d_ -f1)
  token=$(issue partner "$partner")
  "$BIN/jvap" --server "$SERVER" --token "$token" submit "$file" >/dev/null || echo "run: could not submit $(basename "$file")" >&2
done
for _ in $(seq 300); do
  pending=$(curl -sf "$SERVER/api/v1/submissions" -H "Authorization: Bearer $ANALYST" |
    python3 -c 'import json,sys; print(sum(s["state"] in ("received","validating") for s in json.load(sys.stdin)))')
  [ "$pending" = 0 ] && break
  sleep 0.2
done

cat <<INFO

  jvap is running.
    Web address:   $SERVER/
    API:           $SERVER/api/v1/   (health: $SERVER/healthz)
    Admin token:   $ADMIN
    Analyst token: $ANALYST
    Partner tokens: $DATA/tokens/<PARTNER>.token  (e.g. NER: $(cat "$DATA/tokens/NER.token" 2>/dev/null))

  Try:
    export JVAP_SERVER=$SERVER JVAP_TOKEN=$ANALYST
    target/debug/jvap status
    target/debug/jvap download latest --format xlsx -o jvap-latest.xlsx

  Logs: $DATA/logs/   Stop: make stop
INFO
