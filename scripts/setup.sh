#!/usr/bin/env bash
# Installs what twofa needs on a fresh Debian machine, and nothing twice.
#   scripts/setup.sh run    build tools for the product (Rust, Node, libpq headers)
#   scripts/setup.sh test   + test tools (oathtool, zbar, rsvg, chromium, docker-compose to check
#                           the compose file), a running PostgreSQL
#                           and a running Redis (for the optional Redis session store's tests)
set -euo pipefail
mode="${1:-run}"

need_pkgs=(pkg-config libssl-dev libpq-dev libpq5 ca-certificates jq oathtool)
if [ "$mode" = test ]; then
  need_pkgs+=(oathtool zbar-tools librsvg2-bin chromium fonts-dejavu-core postgresql redis-server redis-tools python3-venv docker-compose)
fi

missing=()
for p in "${need_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "setup: cargo not found: install Rust (rustup) first" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: npm not found: install Node.js 20 or newer first" >&2; exit 1; }

if [ "$mode" = test ]; then
  # PostgreSQL: use the one that runs; start the local cluster when none answers.
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "setup: starting PostgreSQL"
    ver=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  # A fresh Debian cluster wants a password over TCP; a trust-auth one ignores it.
  if ! psql "postgres://postgres:postgres@127.0.0.1:5432/postgres" -Atqc 'select 1' >/dev/null 2>&1; then
    su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
  fi
  # Redis: use the one on 6379; Debian's package does not start it here, so start one that keeps
  # nothing on disk.
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "setup: starting Redis"
    redis-server --bind 127.0.0.1 --port 6379 --daemonize yes --save '' --appendonly no \
      --logfile /tmp/twofa-redis.log
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
  fi
fi
