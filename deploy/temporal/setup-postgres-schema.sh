#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas up to the
# version the temporal-sql-tool at hand ships (the schemas are built into the
# tool, so the tool must be of the server's release). Run by:
#   - docker-compose.yml: a one-shot temporalio/admin-tools job, before the server starts;
#   - `npm run cluster`: with the temporal-sql-tool built from the Go module.
#
# Safe to run on every start: create-database keeps an existing database,
# setup-schema --version 0.0 only records the initial version on an empty one, and
# update-schema applies only the versions newer than the recorded one. That is
# also how a server upgrade migrates: a new release, then this script, then the server.
#
# temporal-sql-tool reads its connection from the environment:
#   SQL_PLUGIN (postgres12), SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD
# and this script also reads:
#   TEMPORAL_SQL_TOOL        the tool (default: temporal-sql-tool on PATH)
#   TEMPORAL_DB, TEMPORAL_VISIBILITY_DB   database names (temporal, temporal_visibility)
#   APP_DATABASE             also create this (empty) database: the workers' shared sent-log
#                            (SENT_LOG_DATABASE_URL) creates its table there itself
#   SETUP_ATTEMPTS, SETUP_PAUSE_SECONDS   retry budget while PostgreSQL starts (30 x 2 s)
set -eu

: "${SQL_HOST:?SQL_HOST must name the PostgreSQL host}"
: "${SQL_USER:?SQL_USER must be set}"
: "${SQL_PASSWORD:?SQL_PASSWORD must be set}"
export SQL_PLUGIN="${SQL_PLUGIN:-postgres12}"
export SQL_PORT="${SQL_PORT:-5432}"
tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
attempts=${SETUP_ATTEMPTS:-30}
pause=${SETUP_PAUSE_SECONDS:-2}

log() { echo "schema-setup: $*"; }

# The first statement doubles as the wait for PostgreSQL: it may have just (re)started.
n=1
until "$tool" --database "${TEMPORAL_DB:-temporal}" create-database >/dev/null 2>&1; do
  if [ "$n" -ge "$attempts" ]; then
    log "PostgreSQL at $SQL_HOST:$SQL_PORT still refuses after $n attempts:" >&2
    "$tool" --database "${TEMPORAL_DB:-temporal}" create-database >&2 || true
    exit 1
  fi
  log "PostgreSQL at $SQL_HOST:$SQL_PORT not ready (attempt $n/$attempts), retrying in ${pause}s"
  n=$((n + 1))
  sleep "$pause"
done

# database name (as server.yaml expects it) and its schema inside the tool
for entry in "${TEMPORAL_DB:-temporal}:temporal" "${TEMPORAL_VISIBILITY_DB:-temporal_visibility}:visibility"; do
  database=${entry%%:*}
  schema=postgresql/v12/${entry#*:}
  log "database $database on $SQL_HOST:$SQL_PORT, schema $schema"
  "$tool" --quiet --database "$database" create-database
  "$tool" --quiet --database "$database" setup-schema --version 0.0
  "$tool" --quiet --database "$database" update-schema --schema-name "$schema"
done
if [ -n "${APP_DATABASE:-}" ]; then
  log "database $APP_DATABASE (the workers' sent-log)"
  "$tool" --quiet --database "$APP_DATABASE" create-database
fi
log "done"
