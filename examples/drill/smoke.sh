#!/bin/sh
# A smoke test of the restored environment.
test -f "$DRILL_WORK_DIR/scratch-created" && echo "scratch environment answers"
