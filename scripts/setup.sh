#!/usr/bin/env bash
# Brings up what `make run` and `make test` need on a Debian machine (as root):
# a PostgreSQL server answering on 127.0.0.1:5432 for user postgres. Other
# needs (Chromium for the console test) are installed by their own targets.
set -euo pipefail

listening() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
pg_ok() { psql -h 127.0.0.1 -U postgres -d postgres -Atc 'select 1' >/dev/null 2>&1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! listening; then
  if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    echo "setup: installing PostgreSQL (apt-get install postgresql)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql postgresql-contrib >/dev/null
  fi
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [ -z "$ver" ]; then
    ver=$(ls /usr/lib/postgresql | sort -V | tail -1)
    as_root pg_createcluster "$ver" main >/dev/null
  fi
  echo "setup: starting PostgreSQL $ver"
  as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || as_root pg_ctlcluster "$ver" main start
  for _ in $(seq 1 50); do listening && break; sleep 0.2; done
fi

if ! pg_ok; then
  # A fresh Debian cluster asks for a password on TCP; this machine is a
  # development/CI box, so trust loopback connections for user postgres.
  ver=$(ls /etc/postgresql | sort -V | tail -1)
  hba=/etc/postgresql/$ver/main/pg_hba.conf
  if [ -f "$hba" ] && ! grep -q 'congdanso-dev' "$hba"; then
    echo "setup: trusting loopback connections in $hba"
    as_root sed -i '1i host all all 127.0.0.1/32 trust # congdanso-dev\nhost all all ::1/128 trust # congdanso-dev' "$hba"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main reload || as_root pg_ctlcluster "$ver" main reload
    sleep 1
  fi
fi
pg_ok || { echo "setup: PostgreSQL on 127.0.0.1:5432 does not accept user postgres" >&2; exit 1; }

# The integration tests run many application instances side by side (each
# with its pool, watcher and Temporal persistence): 100 connections is too few.
maxc=$(psql -h 127.0.0.1 -U postgres -d postgres -Atc 'show max_connections')
if [ "${maxc:-0}" -lt 500 ]; then
  echo "setup: raising max_connections from $maxc to 500 (restart)"
  psql -h 127.0.0.1 -U postgres -d postgres -qc 'ALTER SYSTEM SET max_connections = 500'
  ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
  if [ -n "$ver" ]; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main restart || as_root pg_ctlcluster "$ver" main restart
  fi
  for _ in $(seq 1 50); do pg_ok && break; sleep 0.2; done
fi
# unaccent is in postgresql-contrib on older releases; the server package has it on 15+.
echo "setup: PostgreSQL ready on 127.0.0.1:5432"
