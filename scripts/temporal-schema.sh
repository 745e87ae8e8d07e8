#!/bin/sh
# Sets up (or upgrades) Temporal's two PostgreSQL databases with Temporal's own
# schema tool, temporal-sql-tool from the temporalio/admin-tools image of the
# same version as the server. Run by the temporal-schema service of
# docker-compose.yml before the server starts; safe to run again: an existing
# database or schema is kept and only upgraded.
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
port="${DB_PORT:-5432}"
schema="/etc/temporal/schema/postgresql/v12"

tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" \
    -u "$POSTGRES_USER" --pw "${POSTGRES_PWD:-}" --db "$1" $2 $3 $4
}

setup() { # database, versioned schema directory
  echo "temporal-schema: $1"
  tool "$1" create "" "" || echo "temporal-schema: $1 exists"
  tool "$1" setup-schema -v 0.0 || echo "temporal-schema: $1 has a schema, upgrading it"
  tool "$1" update-schema -d "$2"
}
setup "${DBNAME:-temporal}" "$schema/temporal/versioned"
setup "${VISIBILITY_DBNAME:-temporal_visibility}" "$schema/visibility/versioned"
echo "temporal-schema: done"
