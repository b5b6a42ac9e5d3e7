#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3 in the browser, runs on Node 20) for the
# end-to-end test, without any download besides the npm registry:
# - its @vscode/ripgrep postinstall downloads from GitHub, so packages are installed with
#   --ignore-scripts and Debian's rg (apt ripgrep) is put where @vscode/ripgrep looks for it;
# - the native modules are then rebuilt from source (apt libkrb5-dev libxkbfile-dev
#   libsecret-1-dev libx11-dev, plus python3, make and g++);
# - as root npm needs unsafe-perm for the nested installs.
# Usage: scripts/install-code-server.sh [DEST]   (default .cache/code-server; skipped when present)
set -euo pipefail

VERSION=4.100.3
DEST=${1:-${CODE_SERVER_DIR:-$PWD/.cache/code-server}}
CS="$DEST/node_modules/code-server"

if [ -f "$CS/package.json" ] && grep -q "\"version\": \"$VERSION\"" "$CS/package.json" && [ -f "$DEST/.complete" ]; then
  echo "code-server $VERSION already installed in $DEST"
  exit 0
fi
command -v rg >/dev/null || { echo "install-code-server: rg (apt ripgrep) is required" >&2; exit 1; }

export npm_config_unsafe_perm=true npm_config_yes=true npm_config_audit=false npm_config_fund=false
mkdir -p "$DEST"
rm -f "$DEST/.complete"
cd "$DEST"
[ -f package.json ] || echo '{ "private": true }' > package.json
npm install --no-save --ignore-scripts "code-server@$VERSION"

place_rg() {
  mkdir -p "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin"
  cp "$(command -v rg)" "$CS/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
}

(cd "$CS/lib/vscode" && npm install --omit=dev --ignore-scripts)
place_rg
(cd "$CS/lib/vscode" && npm rebuild)
(cd "$CS/lib/vscode/extensions" && npm install --omit=dev --ignore-scripts && npm rebuild)
ln -sfn node_modules "$CS/lib/vscode/node_modules.asar"
(cd "$DEST" && npm rebuild argon2)
place_rg
touch "$DEST/.complete"
echo "code-server $VERSION installed in $DEST"
