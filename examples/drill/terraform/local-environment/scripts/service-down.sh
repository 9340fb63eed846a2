#!/bin/sh
# Stops the service service-up.sh started and removes its folder.
set -eu
if [ -s "$SERVICE_DIR/service.pid" ]; then
  pid=$(cat "$SERVICE_DIR/service.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
fi
rm -rf "$SERVICE_DIR"
