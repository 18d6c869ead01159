#!/usr/bin/env bash
# The engines of the production configuration that the tests run against: PostgreSQL and
# Redis on 127.0.0.1. Where they already answer (CI machines start them), nothing is done;
# on a fresh machine they are installed from Debian and started.
set -euo pipefail
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
install_missing() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" > /tmp/ensemble-apt.log
  fi
}
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  install_missing postgresql postgresql-client
  version=$(ls /etc/postgresql | sort -V | tail -1)
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  # The tests connect as postgres without a password, on loopback only.
  hba=/etc/postgresql/$version/main/pg_hba.conf
  if ! grep -q "ensemble-tests" "$hba"; then
    $SUDO sed -i '1i host all postgres 127.0.0.1/32 trust # ensemble-tests' "$hba"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  fi
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping > /dev/null 2>&1; then
  install_missing redis-server
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 ping > /dev/null 2>&1 && break; sleep 1; done
fi
