#!/bin/sh
# A stand-in for a real deployment: replaces the service running on PORT (state in DIR) with VERSION.
# Usage: deploy.sh VERSION DIR PORT [unhealthy]   (unhealthy: that version's /health answers 503)
set -eu
SERVICE_DIR=$2
SERVICE_PORT=$3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$SERVICE_DIR"
if [ -s "$SERVICE_DIR/service.pid" ]; then
  pid=$(cat "$SERVICE_DIR/service.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$SERVICE_DIR/service.pid"
fi
SERVICE_HEALTHY=$([ "${4:-}" = unhealthy ] && echo 0 || echo 1) \
  setsid node "$here/../terraform/local-environment/scripts/service.js" "$SERVICE_PORT" "$SERVICE_DIR/service.pid" "$1" \
  >"$SERVICE_DIR/service.log" 2>&1 </dev/null &
for _ in $(seq 1 100); do
  [ -s "$SERVICE_DIR/service.pid" ] && exit 0
  sleep 0.1
done
echo "version $1 did not start: $(cat "$SERVICE_DIR/service.log")" >&2
exit 1
