#!/bin/sh
# A stand-in for a real deployment: replaces the service running on PORT (state in DIR) with VERSION.
# Usage: deploy.sh VERSION DIR PORT [unhealthy]   (unhealthy: that version's /health answers 503)
set -eu
scripts=$(cd "$(dirname "$0")/../terraform/local-environment/scripts" && pwd)
export SERVICE_VERSION="$1" SERVICE_DIR="$2" SERVICE_PORT="$3" SERVICE_JS="$scripts/service.js"
SERVICE_HEALTHY=$([ "${4:-}" = unhealthy ] && echo 0 || echo 1)
export SERVICE_HEALTHY
"$scripts/service-down.sh"
exec "$scripts/service-up.sh"
