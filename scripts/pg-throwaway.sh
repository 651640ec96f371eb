#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks.
#
#   scripts/pg-throwaway.sh start DIR [PORT]   create and start a cluster in DIR; print its
#                                              Npgsql connection string (the only stdout line)
#   scripts/pg-throwaway.sh stop DIR           stop it and delete DIR
#   scripts/pg-throwaway.sh version            print the PostgreSQL major version start uses
#
# PG_THROWAWAY_DURABLE=1 keeps PostgreSQL's durable defaults (fsync, synchronous commit, full
# page writes), as a production server has them: for benchmarks. Tests run without them.
#
# It never touches the system cluster: own data directory, own port, TCP on 127.0.0.1 only.
# PostgreSQL is installed from Debian if absent, because a fresh CI machine has none.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/apt.sh
source "$here/lib/apt.sh"

# Above the system cluster's 5432 and clear of the usual 5433-5440 side-by-side versions.
first_port=54329
last_port=54428
# Written into every DIR we create, so `stop` never deletes a directory that is not ours.
marker=.pg-throwaway
password=postgres

log() { echo "pg-throwaway: $*" >&2; }
die() { log "$*"; exit 1; }

usage() {
    echo "usage: $0 start DIR [PORT] | stop DIR | version" >&2
    exit 2
}

# Highest installed major version wins: it is the one Debian's `postgresql` package points at.
find_bindir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [[ -x $d/initdb && -x $d/pg_ctl ]]; then echo "$d"; fi
    done | sort -V | tail -n 1
}

ensure_bindir() {
    bindir=$(find_bindir)
    if [[ -z $bindir ]]; then
        apt_install postgresql
        bindir=$(find_bindir)
        [[ -n $bindir ]] || die "installed postgresql but found no /usr/lib/postgresql/*/bin/initdb"
    fi
}

# PostgreSQL refuses to run as root, so as root the cluster belongs to the postgres user
# (which Debian's package creates); as anyone else it simply belongs to them.
as_pg() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Returns 1 if the port was taken (caller may try another), dies on any other failure.
start_on_port() {
    local port=$1
    rm -f "$dir/log"
    if as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -o "-p $port" -w -t 60 -s start >&2; then
        return 0
    fi
    if grep -qE 'could not bind|could not create any TCP/IP sockets' "$dir/log" 2>/dev/null; then
        return 1
    fi
    cat "$dir/log" >&2 2>/dev/null || true
    die "PostgreSQL did not start in $dir (log above)"
}

init_cluster() {
    rm -rf "$dir/data"
    if [[ $EUID -eq 0 ]]; then
        id -u postgres >/dev/null 2>&1 || die "no 'postgres' user to run PostgreSQL as (running as root)"
        chown postgres: "$dir"
        # A mktemp dir under a private parent (e.g. /root) would be unreachable for postgres.
        runuser -u postgres -- test -w "$dir" ||
            die "user postgres cannot write $dir; pick a DIR whose parents it can enter (e.g. under /tmp)"
    fi
    chmod 700 "$dir"

    local pwfile="$dir/pwfile"
    printf '%s\n' "$password" >"$pwfile"
    [[ $EUID -ne 0 ]] || chown postgres: "$pwfile"
    # A password (not trust) on TCP, so the connection string exercises the same auth path as
    # a real deployment; --no-sync and (unless PG_THROWAWAY_DURABLE=1) the settings below trade
    # durability for speed, which a cluster deleted after the run does not need.
    as_pg "$bindir/initdb" -D "$dir/data" -U postgres --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 \
        -E UTF8 --locale=C --lc-ctype=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; die "initdb failed in $dir/data"; }
    rm -f "$pwfile"

    # No Unix socket: TCP is all we use, and socket paths under a long DIR exceed the
    # 107-byte limit, and /var/run/postgresql may belong to the system cluster.
    cat >>"$dir/data/postgresql.conf" <<EOF

# pg-throwaway
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
# What OneGrid's README asks of a production server: a text search's bitmap of a common word
# (垃圾: a sixth of a district) stays exact; at the default 4MB it turns lossy and every row of
# the lossy pages has its text's pairs computed again (3.3 s instead of 56 ms at 1 M cases).
work_mem = '32MB'
EOF
    if [[ ${PG_THROWAWAY_DURABLE:-0} != 1 ]]; then
        printf '%s\n' 'fsync = off' 'synchronous_commit = off' 'full_page_writes = off' >>"$dir/data/postgresql.conf"
    fi
}

cmd_start() {
    [[ $# -ge 1 && $# -le 2 ]] || usage
    dir=$(realpath -m -- "$1")
    local port=${2:-}
    [[ -z $port || $port =~ ^[0-9]+$ ]] || die "PORT must be a number, got '$port'"
    ensure_bindir
    # Nothing below depends on the caller's cwd, and postgres may not be allowed into it.
    cd /

    if [[ -f $dir/$marker && -f $dir/conn ]] &&
        as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        log "already running in $dir"
        cat "$dir/conn"
        return 0
    fi
    if [[ -e $dir && ! -f $dir/$marker ]]; then
        [[ -d $dir && -z $(ls -A "$dir") ]] || die "$dir exists and is not an empty directory"
    fi
    mkdir -p "$dir"
    touch "$dir/$marker"

    # A stopped cluster of ours (say, after a reboot) is reused, on its old port if none given.
    if [[ -f $dir/data/PG_VERSION ]]; then
        [[ -n $port || ! -f $dir/port ]] || port=$(cat "$dir/port")
    else
        init_cluster
    fi

    if [[ -n $port ]]; then
        start_on_port "$port" || die "port $port on 127.0.0.1 is in use"
    else
        # Try free-looking ports in turn; another run may grab one between check and bind.
        local p started=
        for ((p = first_port; p <= last_port; p++)); do
            port_in_use "$p" && continue
            if start_on_port "$p"; then
                port=$p started=1
                break
            fi
            log "port $p was taken meanwhile; trying the next"
        done
        [[ -n $started ]] || die "no free port in $first_port..$last_port"
    fi
    echo "$port" >"$dir/port"

    local conn="Host=127.0.0.1;Port=$port;Username=postgres;Password=$password;Database=postgres"
    # pg_ctl -w only says the server is up; check the connection string itself gets in.
    PGPASSWORD=$password PGCONNECT_TIMEOUT=10 "$bindir/psql" -X -q -h 127.0.0.1 -p "$port" \
        -U postgres -d postgres -Atc 'SELECT 1' >/dev/null ||
        die "server started on port $port but psql cannot log in"
    echo "$conn" >"$dir/conn"
    log "PostgreSQL $(basename "$(dirname "$bindir")") on 127.0.0.1:$port, data in $dir"
    echo "$conn"
}

cmd_stop() {
    [[ $# -eq 1 ]] || usage
    dir=$(realpath -m -- "$1")
    [[ -e $dir ]] || return 0
    # An empty directory holds nothing to lose: a `start` that failed early, or a fresh mktemp.
    if [[ -d $dir && -z $(ls -A "$dir") ]]; then
        rmdir -- "$dir"
        return 0
    fi
    [[ -f $dir/$marker ]] || die "$dir was not made by pg-throwaway; not deleting it"
    cd /
    if [[ -f $dir/data/postmaster.pid ]]; then
        bindir=$(find_bindir)
        # Immediate: the data is about to be deleted, so a clean checkpoint is wasted time.
        as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 30 -s stop >&2 ||
            log "pg_ctl stop failed in $dir (server already gone?)"
    fi
    rm -rf -- "$dir"
}

cmd_version() {
    [[ $# -eq 0 ]] || usage
    ensure_bindir
    basename "$(dirname "$bindir")"
}

[[ $# -ge 1 ]] || usage
sub=$1
shift
case $sub in
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
version) cmd_version "$@" ;;
*) usage ;;
esac
