#!/bin/sh
set -e
rm -f "$DRILL_WORK_DIR/scratch-created"
if [ -n "$DRILL_MARKER" ]; then rm -f "$DRILL_MARKER"; fi
