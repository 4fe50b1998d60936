#!/bin/sh
# One-shot job (temporalio/admin-tools image) started by docker-compose.yml once
# PostgreSQL is healthy and before the Temporal server starts: creates Temporal's
# two databases and brings their schemas up to the version this admin-tools image
# ships (which matches the server image of the same tag).
#
# Safe to run on every `docker compose up`: an existing database is kept, the
# initial version is only recorded on an empty database, and update-schema applies
# only the versions that are newer than the recorded one. That is also how a
# server upgrade migrates: bump both image tags, then `docker compose up -d`.
#
# temporal-sql-tool reads its connection from the environment:
#   SQL_PLUGIN (postgres12), SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD
set -eu

: "${SQL_HOST:?SQL_HOST must name the PostgreSQL host}"
: "${SQL_USER:?SQL_USER must be set}"
: "${SQL_PASSWORD:?SQL_PASSWORD must be set}"
export SQL_PLUGIN="${SQL_PLUGIN:-postgres12}"
export SQL_PORT="${SQL_PORT:-5432}"

# The healthcheck already waited for PostgreSQL; still give its TCP listener a
# moment in case the container was just restarted.
tries=0
until nc -z -w 5 "$SQL_HOST" "$SQL_PORT"; do
  tries=$((tries + 1))
  if [ "$tries" -ge 30 ]; then
    echo "schema-setup: $SQL_HOST:$SQL_PORT unreachable" >&2
    exit 1
  fi
  sleep 2
done

schema_root=/etc/temporal/schema/postgresql/v12
# database name (as the server expects it by default) and its schema directory
for entry in "${TEMPORAL_DB:-temporal}:temporal" "${VISIBILITY_DB:-temporal_visibility}:visibility"; do
  database=${entry%%:*}
  versions="$schema_root/${entry#*:}/versioned"
  if [ ! -d "$versions" ]; then
    echo "schema-setup: $versions not found in this image" >&2
    exit 1
  fi
  echo "schema-setup: database $database on $SQL_HOST:$SQL_PORT"
  temporal-sql-tool --database "$database" create-database
  temporal-sql-tool --database "$database" setup-schema --version 0.0
  temporal-sql-tool --database "$database" update-schema --schema-dir "$versions"
done
echo "schema-setup: done"
