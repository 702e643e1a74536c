#!/bin/sh
# A streaming replica: on first start, copy the primary with pg_basebackup (-R writes standby.signal and
# primary_conninfo, application_name included), then run PostgreSQL as a hot standby. Asynchronous, as in the
# original. It streams as $REPLICA_NAME, the name the lab reads its lag by.
set -e
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h "$PRIMARY_HOST" -U replicator; do sleep 1; done
  pg_basebackup -d "host=$PRIMARY_HOST user=replicator application_name=${REPLICA_NAME:-replica}" -D "$PGDATA" -X stream -R
  chown -R postgres:postgres "$PGDATA"
  chmod 700 "$PGDATA"
fi
exec docker-entrypoint.sh postgres -c hot_standby=on -c max_connections=500
