#!/bin/sh
# Stops the cluster pg-up.sh started and removes its folder.
set -eu
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
if [ -f "$PG_DIR/data/postmaster.pid" ]; then
  as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null
fi
rm -rf "$PG_DIR"
