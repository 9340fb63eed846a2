#!/bin/sh
# Starts a throwaway PostgreSQL cluster in $PG_DIR on $PG_PORT. initdb refuses to run as root, so as root the
# cluster belongs to the postgres user. pg_ctl puts the server in a session of its own, so it outlives this script.
set -eu
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir -p "$PG_DIR"
if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR"; fi
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync -E UTF8 --locale=C >"$PG_DIR/initdb.log"
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" -w -t 60 start >/dev/null
