#!/usr/bin/env bash
# Make sure the PostgreSQL and Redis that the scale-out tests use are up on loopback, starting
# them from the machine's packages when they are not, and print the variables that point the
# tests at them. Used by scripts/ci.sh; run it by hand before `make test` to test both stacks:
#
#     eval "$(scripts/services.sh)" && make test
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # PORT NAME
  for _ in $(seq 1 60); do
    if port_open "$1"; then return 0; fi
    sleep 0.5
  done
  echo "services: $2 is not reachable on 127.0.0.1:$1" >&2
  return 1
}

if ! port_open 5432; then
  echo "services: starting PostgreSQL" >&2
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2
fi
wait_port 5432 PostgreSQL
if command -v psql >/dev/null 2>&1 &&
   ! psql -h 127.0.0.1 -U postgres -d test -Atc 'SELECT 1' >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -c 'CREATE DATABASE test' >/dev/null
fi

if ! port_open 6379; then
  echo "services: starting Redis (append-only file on)" >&2
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly yes \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >&2
fi
wait_port 6379 Redis

echo "export ONEWINDOW_TEST_POSTGRES_DSN=${ONEWINDOW_TEST_POSTGRES_DSN:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}"
echo "export ONEWINDOW_TEST_REDIS_ADDR=${ONEWINDOW_TEST_REDIS_ADDR:-127.0.0.1:6379}"
