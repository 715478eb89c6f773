# Shared settings and helpers of the project scripts. Sourced, not run.
# Every service keeps its data and logs under $DEV (git-ignored) and listens on
# 127.0.0.1 only. Ports can be changed with PG_PORT, REDIS_PORT, SOLR_PORT; an
# operator's own services are used instead when CKAN_SQLALCHEMY_URL,
# CKAN_SOLR_URL or CKAN_REDIS_URL are set.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEV="$ROOT/.dev"
VENV="${VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3.11}"
PG_PORT="${PG_PORT:-5432}"
REDIS_PORT="${REDIS_PORT:-6379}"
SOLR_PORT="${SOLR_PORT:-8983}"
PG_USER=ckan_default
PG_PASSWORD=pass
# The DataStore's read-only role (the write role is $PG_USER, as CKAN's docs do).
DS_RO_USER=datastore_ro
DS_RO_PASSWORD=pass

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 1; }

# port_busy PORT: something already listens on 127.0.0.1:PORT
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pid_alive FILE: the pid in FILE is a running process
pid_alive() { [ -s "$1" ] && kill -0 "$(head -n1 "$1")" 2>/dev/null; }

# log_tail FILE: the last lines of a log, indented, for an error message
log_tail() { [ -f "$1" ] && tail -n 15 "$1" | sed 's/^/    /' >&2 || true; }

ckan_cmd() { "$VENV/bin/ckan" "$@"; }

# datastore_setup: the DataStore's permissions for the configuration $CKAN_INI
# (read-only role, full-text trigger), as `ckan datastore set-permissions`
# writes them, applied as PostgreSQL's superuser. Idempotent. With an
# operator's own DataStore (CKAN_DATASTORE_WRITE_URL set) the operator runs it.
datastore_setup() {
  if [ -n "${DATASTORE_EXTERNAL:-}" ]; then
    say "DataStore: using CKAN_DATASTORE_WRITE_URL (run 'ckan datastore set-permissions' there)"
    return
  fi
  ckan_cmd -c "$CKAN_INI" datastore set-permissions \
    | "$ROOT/scripts/services.sh" psql >/dev/null \
    || fail "the DataStore permissions could not be set (ckan datastore set-permissions)"
}

# datastore_urls DB: export the DataStore URLs for database DB on the local
# PostgreSQL, unless the operator set them.
datastore_urls() {
  if [ -n "${CKAN_DATASTORE_WRITE_URL:-}" ]; then DATASTORE_EXTERNAL=1; fi
  export CKAN_DATASTORE_WRITE_URL="${CKAN_DATASTORE_WRITE_URL:-postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$1}"
  export CKAN_DATASTORE_READ_URL="${CKAN_DATASTORE_READ_URL:-postgresql://$DS_RO_USER:$DS_RO_PASSWORD@127.0.0.1:$PG_PORT/$1}"
}
