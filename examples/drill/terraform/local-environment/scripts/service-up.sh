#!/bin/sh
# Starts the HTTP service in the background, in a session of its own (setsid) so it outlives this script and a
# Ctrl-C sent to terraform's process group; waits until it wrote its pid file, which it does once listening.
set -eu
mkdir -p "$SERVICE_DIR"
setsid node "$SERVICE_JS" "$SERVICE_PORT" "$SERVICE_DIR/service.pid" "$SERVICE_VERSION" >"$SERVICE_DIR/service.log" 2>&1 </dev/null &
for _ in $(seq 1 100); do
  [ -s "$SERVICE_DIR/service.pid" ] && exit 0
  sleep 0.1
done
echo "the service did not start: $(cat "$SERVICE_DIR/service.log")" >&2
exit 1
