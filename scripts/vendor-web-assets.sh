#!/usr/bin/env bash
# Refresh the front-end files the dashboard serves (src/celtrace/web/static/vendor/) from npm, at the
# versions pinned in package.json. CI has no npm step: the copied files are committed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/package.json" "$work/"
(cd "$work" && npm install --no-audit --no-fund --ignore-scripts --silent)
vendor="$root/src/celtrace/web/static/vendor"
mkdir -p "$vendor"
cp "$work/node_modules/cytoscape/dist/cytoscape.min.js" "$vendor/cytoscape.min.js"
cp "$work/node_modules/cytoscape/LICENSE" "$vendor/cytoscape.LICENSE"
# The world map is drawn on the server (celtrace.web.worldmap); the browser never fetches this file.
cp "$work/node_modules/world-atlas/countries-110m.json" "$vendor/countries-110m.json"
cp "$work/node_modules/world-atlas/LICENSE" "$vendor/world-atlas.LICENSE"
echo "vendored into $vendor"
