#!/bin/sh
# A streaming replica: on first start, copy the primary with pg_basebackup (-R writes standby.signal and
# primary_conninfo), then run PostgreSQL as a hot standby. Asynchronous, as in the original.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h "$PRIMARY_HOST" -U replicator; do sleep 1; done
  pg_basebackup -h "$PRIMARY_HOST" -U replicator -D "$PGDATA" -X stream -R
  chown -R postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
fi
exec docker-entrypoint.sh postgres -c hot_standby=on -c max_connections=500
