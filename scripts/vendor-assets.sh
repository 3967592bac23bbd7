#!/usr/bin/env bash
# Refresh the vendored front-end assets from the npm registry (pinned versions). The results are
# committed under xinzhi/web/static/vendor/: the platform runs on an intranet and loads nothing from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
ECHARTS=6.1.0
HTMX=2.0.8
out=xinzhi/web/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
(cd "$tmp" && npm pack --silent "echarts@$ECHARTS" "htmx.org@$HTMX" >/dev/null)
tar -xzf "$tmp/echarts-$ECHARTS.tgz" -C "$tmp" package/dist/echarts.min.js package/LICENSE
cp "$tmp/package/dist/echarts.min.js" "$out/echarts.min.js"
cp "$tmp/package/LICENSE" "$out/echarts.LICENSE"
rm -rf "$tmp/package"
tar -xzf "$tmp/htmx.org-$HTMX.tgz" -C "$tmp" package/dist/htmx.min.js package/LICENSE
cp "$tmp/package/dist/htmx.min.js" "$out/htmx.min.js"
cp "$tmp/package/LICENSE" "$out/htmx.LICENSE"
printf 'echarts %s\nhtmx.org %s\n' "$ECHARTS" "$HTMX" > "$out/VERSIONS"
ls -la "$out"
