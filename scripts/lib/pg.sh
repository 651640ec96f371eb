# shellcheck shell=bash
# Sourced by test.sh and bench-postgis.sh: start a throwaway PostgreSQL cluster and make sure it is
# stopped and removed however the script ends.
# Usage: start_throwaway_postgres PREFIX  — sets PG_CONNECTION to the cluster's connection string.

pg_dir=
stop_postgres() {
    if [[ -n $pg_dir ]]; then
        scripts/pg-throwaway.sh stop "$pg_dir" || true
        pg_dir=
    fi
}

start_throwaway_postgres() {
    trap stop_postgres EXIT
    # Turn signals into a normal exit so the EXIT trap still removes the cluster.
    trap 'exit 130' INT
    trap 'exit 143' TERM
    pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    # shellcheck disable=SC2034 # read by the sourcing script
    PG_CONNECTION=$(scripts/pg-throwaway.sh start "$pg_dir")
}
