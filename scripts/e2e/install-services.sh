#!/usr/bin/env bash
# Installs what the queue-mode end-to-end suite starts beside n8n: PostgreSQL and Redis from
# Debian's own packages (`postgresql` 15 and `redis-server` 7 on bookworm). Idempotent: when both
# are there it only says which ones it found. It never starts, enables or configures a service —
# the suite runs its own postgres and redis-server processes in temporary folders on free ports.
#
#   scripts/e2e/install-services.sh
#
# Needs root (or passwordless sudo) the first time; CI runs as root on a fresh machine.
set -euo pipefail

start=$(date +%s)

# The server binaries, wherever Debian put them (postgres lives under /usr/lib/postgresql/<v>/bin).
postgres_bin() {
	local found
	for found in /usr/lib/postgresql/*/bin/postgres; do
		[ -x "$found" ] && { echo "$found"; return 0; }
	done
	command -v postgres 2>/dev/null || return 1
}
redis_bin() { command -v redis-server 2>/dev/null || { [ -x /usr/bin/redis-server ] && echo /usr/bin/redis-server; }; }

missing=()
postgres_bin >/dev/null || missing+=(postgresql)
redis_bin >/dev/null || missing+=(redis-server)

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -eq 0 ]; then
		as_root=()
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		as_root=(sudo -n)
	else
		echo "install-services: missing ${missing[*]}; run as root: apt-get update && apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
	echo "==> apt-get install ${missing[*]}"
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

pg="$(postgres_bin)" || { echo "install-services: no postgres binary after installing postgresql" >&2; exit 1; }
redis="$(redis_bin)" || { echo "install-services: no redis-server after installing redis-server" >&2; exit 1; }
# Postgres refuses to run as root: the suite runs it as this user when it is root itself.
id postgres >/dev/null 2>&1 || { echo "install-services: no 'postgres' system user (the postgresql package creates it)" >&2; exit 1; }
echo "services: $("$pg" --version), $("$redis" --version | cut -d' ' -f1-3) in $(($(date +%s) - start)) s"
