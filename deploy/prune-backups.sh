#!/bin/sh
# Keep: every backup of the last 14 days; those made on a Sunday for 8 weeks; those made on the 1st of a
# month for 12 months. Backup files are named xinzhi-backup-YYYYMMDD-HHMMSS.tar (UTC).
set -eu
dir=${1:?usage: prune-backups.sh DIR}
now=$(date -u +%s)
for f in "$dir"/xinzhi-backup-*.tar; do
  [ -e "$f" ] || continue
  day=$(basename "$f" | sed -n 's/^xinzhi-backup-\([0-9]\{8\}\)-.*/\1/p')
  [ -n "$day" ] || continue
  t=$(date -u -d "$day" +%s)
  age=$(( (now - t) / 86400 ))
  keep=no
  [ "$age" -le 14 ] && keep=yes
  [ "$age" -le 56 ] && [ "$(date -u -d "$day" +%u)" = 7 ] && keep=yes
  [ "$age" -le 366 ] && [ "$(date -u -d "$day" +%d)" = 01 ] && keep=yes
  [ "$keep" = no ] && rm -f -- "$f"
done
exit 0
