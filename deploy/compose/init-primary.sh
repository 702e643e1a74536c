#!/bin/sh
# Runs once, when a primary's data directory is created: the replication role and the pg_hba line that lets
# its replica stream from another container (the official image only allows replication from loopback).
set -e
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c "CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD 'replica_password'"
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
