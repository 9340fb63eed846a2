#!/bin/sh
# Stands in for a real restore (terraform apply of a scratch environment, a failover script...).
# It records what it created so cleanup.sh can remove it.
set -e
echo "restored $DRILL_TARGET" > "$DRILL_WORK_DIR/scratch-created"
touch "${DRILL_MARKER:-/dev/null}"
