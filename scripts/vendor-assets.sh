#!/usr/bin/env bash
# Refresh the vendored front-end assets from the npm registry (pinned versions). The results are
# committed under xinzhi/web/static/vendor/: the platform runs on an intranet and loads nothing from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
ECHARTS=6.1.0
HTMX=2.0.8
NOTO_SC=0.4.3   # @expo-google-fonts/noto-sans-sc: static TrueType Noto Sans SC (SIL OFL), for reports and charts
fonts=xinzhi/data/fonts
out=xinzhi/web/static/vendor
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
mkdir -p "$fonts"
(cd "$tmp" && npm pack --silent "echarts@$ECHARTS" "htmx.org@$HTMX" "@expo-google-fonts/noto-sans-sc@$NOTO_SC" >/dev/null)
tar -xzf "$tmp/echarts-$ECHARTS.tgz" -C "$tmp" package/dist/echarts.min.js package/LICENSE
cp "$tmp/package/dist/echarts.min.js" "$out/echarts.min.js"
cp "$tmp/package/LICENSE" "$out/echarts.LICENSE"
rm -rf "$tmp/package"
tar -xzf "$tmp/htmx.org-$HTMX.tgz" -C "$tmp" package/dist/htmx.min.js package/LICENSE
cp "$tmp/package/dist/htmx.min.js" "$out/htmx.min.js"
cp "$tmp/package/LICENSE" "$out/htmx.LICENSE"
rm -rf "$tmp/package"
tar -xzf "$tmp/expo-google-fonts-noto-sans-sc-$NOTO_SC.tgz" -C "$tmp" package/400Regular/NotoSansSC_400Regular.ttf package/700Bold/NotoSansSC_700Bold.ttf package/LICENSE_FONT
cp "$tmp/package/400Regular/NotoSansSC_400Regular.ttf" "$tmp/package/700Bold/NotoSansSC_700Bold.ttf" "$fonts/"
cp "$tmp/package/LICENSE_FONT" "$fonts/OFL.txt"
printf 'echarts %s\nhtmx.org %s\n@expo-google-fonts/noto-sans-sc %s\n' "$ECHARTS" "$HTMX" "$NOTO_SC" > "$out/VERSIONS"
ls -la "$out"
