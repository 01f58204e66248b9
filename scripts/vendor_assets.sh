#!/usr/bin/env bash
# Copy the pinned front-end packages (package.json / package-lock.json) into
# static/vendor/, with a VERSIONS file. Run via `make vendor` after changing versions.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
out=static/vendor
rm -rf "$out"
mkdir -p "$out/bootstrap" "$out/bootstrap-icons/fonts" "$out/htmx" "$out/chartjs"
cp node_modules/bootstrap/dist/css/bootstrap.min.css "$out/bootstrap/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js "$out/bootstrap/"
cp node_modules/bootstrap-icons/font/bootstrap-icons.min.css "$out/bootstrap-icons/"
cp node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff2 node_modules/bootstrap-icons/font/fonts/bootstrap-icons.woff "$out/bootstrap-icons/fonts/"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx/"
cp node_modules/chart.js/dist/chart.umd.min.js "$out/chartjs/"
# Source maps are not shipped; drop their references so the manifest storage does not look for them.
sed -i "/sourceMappingURL=/d" "$out"/*/*.css "$out"/*/*.js
for p in bootstrap bootstrap-icons htmx.org chart.js; do
  printf '%s %s\n' "$p" "$(node -p "require('./node_modules/$p/package.json').version")"
done > "$out/VERSIONS"
cat "$out/VERSIONS"
