#!/bin/sh
# Prints when the newest backup was taken. A real script would ask the backup tool, e.g.
#   az backup recoverypoint list ... --query "max([].properties.recoveryPointTime)"
date -u -d '-10 minutes' +%Y-%m-%dT%H:%M:%SZ
