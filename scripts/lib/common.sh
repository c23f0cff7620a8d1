# Shared by scripts/run, scripts/test and scripts/bench: system packages and a throwaway PostgreSQL.

# The newest PostgreSQL server programs on this machine, or nothing.
postgres_bindir() {
    local dir
    if command -v pg_config >/dev/null 2>&1; then
        dir=$(pg_config --bindir)
        [ -x "$dir/initdb" ] && { echo "$dir"; return; }
    fi
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
        [ -x "$dir/initdb" ] && { echo "$dir"; return; }
    done
}

# Installs PostgreSQL and SQLite's headers when they are missing and this is root with apt-get.
ensure_system_packages() {
    if ! command -v swift >/dev/null 2>&1; then
        echo "Accord needs Swift 6.2 or newer on PATH: see https://www.swift.org/install" >&2
        exit 1
    fi
    local missing=()
    [ -n "$(postgres_bindir)" ] || missing+=(postgresql)
    [ -f /usr/include/sqlite3.h ] || missing+=(libsqlite3-dev)
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing ${missing[*]}..."
        DEBIAN_FRONTEND=noninteractive apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "Accord needs ${missing[*]}: install them (for example: sudo apt-get install ${missing[*]}) and run this again." >&2
        exit 1
    fi
}

# Runs a command as the account that owns the throwaway cluster (postgres when we are root).
as_cluster_user() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts a PostgreSQL cluster in a new temporary directory, listening on a unix socket only, and exports
# ACCORD_TEST_DATABASE_URL (its superuser, trusted). stop_throwaway_postgres removes it again.
start_throwaway_postgres() {
    local bindir
    bindir=$(postgres_bindir)
    PG_TMP=$(mktemp -d /tmp/accord-pg.XXXXXX)
    chmod 755 "$PG_TMP"
    [ "$(id -u)" -eq 0 ] && chown postgres "$PG_TMP"
    as_cluster_user "$bindir/initdb" -D "$PG_TMP/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
    # Durability is pointless for a cluster deleted afterwards, and costs the tests time.
    as_cluster_user "$bindir/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -o \
        "-c listen_addresses='' -c unix_socket_directories='$PG_TMP' -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >/dev/null
    export ACCORD_TEST_DATABASE_URL="postgres://postgres@localhost/postgres?host=$PG_TMP"
    PG_BINDIR=$bindir
}

stop_throwaway_postgres() {
    [ -n "${PG_TMP:-}" ] || return 0
    as_cluster_user "$PG_BINDIR/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_TMP"
}

# Installs headless Chromium with its driver (Debian) and selenium (PyPI) for the browser tests.
ensure_browser_packages() {
    if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "Installing chromium and chromium-driver..."
            DEBIAN_FRONTEND=noninteractive apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null
        else
            echo "The browser tests need chromium and chromium-driver: install them (sudo apt-get install chromium chromium-driver) and run this again." >&2
            exit 1
        fi
    fi
    python3 -c 'import selenium' 2>/dev/null || python3 -m pip install -q selenium
}
