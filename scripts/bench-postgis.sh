#!/usr/bin/env bash
# OneGrid's point-to-grid resolution against PostGIS ST_Contains on the same grids and points.
#   scripts/bench-postgis.sh [bench resolve args...]   e.g. --grids 2000 --seconds 3
# Installs PostGIS for the local PostgreSQL if absent and runs against a throwaway cluster,
# so neither the system cluster nor any real data is involved.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source-path=SCRIPTDIR source=lib/apt.sh
source scripts/lib/apt.sh

# PostGIS is packaged per PostgreSQL major version, so ask which one the cluster will run.
major=$(scripts/pg-throwaway.sh version)
if [[ ! -f /usr/share/postgresql/$major/extension/postgis.control ]]; then
    apt_install "postgresql-$major-postgis-3"
fi

# shellcheck source-path=SCRIPTDIR source=lib/pg.sh
source scripts/lib/pg.sh
start_throwaway_postgres onegrid-postgis
conn=$PG_CONNECTION

dotnet run -c Release --project src/OneGrid -- bench resolve --postgis --pg "$conn" "$@"
