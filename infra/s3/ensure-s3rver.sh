#!/usr/bin/env bash
# Makes sure an S3-compatible server answers on 127.0.0.1 for the object-store tests, with a
# bucket edibridge-test, then prints its endpoint URL on stdout; progress on stderr.
#
# The server is s3rver (npm, a devDependency: run `npm ci` first), started in the background
# with a data folder of its own, under `node --openssl-legacy-provider` (without it, listings
# with a continuation token answer HTTP 500), path-style only (--no-vhost-buckets). A server
# already answering on the port is used as it is (the bucket is created when missing).
#
#   TEST_S3_ENDPOINT=$(bash infra/s3/ensure-s3rver.sh)
#   bash infra/s3/ensure-s3rver.sh stop    # stops the s3rver this script started, if any
#
# Settings: EDIBRIDGE_S3RVER_PORT (4569), EDIBRIDGE_S3RVER_BUCKET (edibridge-test),
# EDIBRIDGE_S3RVER_STATE (/tmp/edibridge-test-s3rver: its data folder, log and pid file).
# Credentials: s3rver takes S3RVER / S3RVER (the tests use them).
set -uo pipefail
cd "$(dirname "$0")/../.."

PORT=${EDIBRIDGE_S3RVER_PORT:-4569}
BUCKET=${EDIBRIDGE_S3RVER_BUCKET:-edibridge-test}
STATE=${EDIBRIDGE_S3RVER_STATE:-/tmp/edibridge-test-s3rver}
PIDFILE="$STATE/s3rver.pid"
BIN=node_modules/s3rver/bin/s3rver.js
URL="http://127.0.0.1:$PORT"

log() { echo "ensure-s3rver: $*" >&2; }

# The pid file names a live process (not a zombie: kill -0 succeeds on one).
alive() {
  local p
  p=$(cat "$PIDFILE" 2>/dev/null) && [ -n "$p" ] && [[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" =~ ^[RSD]$ ]]
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
# Any HTTP answer to a listing of the bucket; 200 means the bucket is there.
bucket_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$URL/$BUCKET?list-type=2&max-keys=1" 2>/dev/null; }

if [ "${1:-}" = stop ]; then
  if alive; then
    kill "$(cat "$PIDFILE")" 2>/dev/null
    for _ in $(seq 1 100); do alive || break; sleep 0.05; done
    alive && kill -9 "$(cat "$PIDFILE")" 2>/dev/null
    log "stopped the s3rver on port $PORT"
  fi
  rm -rf "$STATE"
  exit 0
fi

if port_open; then
  if alive; then log "the s3rver started here answers on 127.0.0.1:$PORT"; else log "a server answers on 127.0.0.1:$PORT"; fi
else
  [ -f "$BIN" ] || { log "$BIN is missing: run npm ci first"; exit 1; }
  if alive; then kill "$(cat "$PIDFILE")" 2>/dev/null; sleep 0.2; fi
  rm -rf "$STATE" && mkdir -p "$STATE/data"
  log "starting s3rver in $STATE"
  nohup node --openssl-legacy-provider "$BIN" -d "$STATE/data" -a 127.0.0.1 -p "$PORT" -s \
    --no-vhost-buckets --configure-bucket "$BUCKET" >"$STATE/s3rver.log" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 200); do port_open && break; alive || break; sleep 0.05; done
  port_open || { cat "$STATE/s3rver.log" >&2; log "s3rver did not come up"; exit 1; }
fi

status=$(bucket_status)
if [ "$status" = 404 ]; then
  log "creating bucket $BUCKET"
  curl -s -o /dev/null --max-time 5 -X PUT "$URL/$BUCKET" && status=$(bucket_status)
fi
[ "$status" = 200 ] || { log "bucket $BUCKET does not answer on $URL (HTTP ${status:-none})"; exit 1; }

echo "$URL"
