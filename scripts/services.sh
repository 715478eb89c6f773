#!/usr/bin/env bash
# Starts, stops or reports the services CKAN needs: PostgreSQL, Redis and Solr.
#   scripts/services.sh start|stop|status
#   scripts/services.sh psql < script.sql   (as PostgreSQL's superuser)
# Starting is idempotent: a service of ours that already runs is left alone.
# A service given by the operator through CKAN_SQLALCHEMY_URL, CKAN_REDIS_URL or
# CKAN_SOLR_URL is not started here.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
PG_DIR="$DEV/postgres"
PG_DATA="$PG_DIR/data"
PG_SOCK="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"
REDIS_DIR="$DEV/redis"
SOLR_DIR="$DEV/solr"
SOLR_LOG="$SOLR_DIR/solr.log"
SOLR_PID="$SOLR_DIR/solr.pid"

# PostgreSQL refuses to run as root, so as root it runs as the postgres user.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_running() { [ -f "$PG_DATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

prepare_pg_dir() {
  [ -d "$PG_DIR" ] && return
  mkdir -p "$DEV"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$DEV"; then
    # The checkout is not reachable by the postgres user (e.g. under /root):
    # keep the cluster in a private directory outside and link it from .dev.
    local outside
    outside="$(mktemp -d /var/tmp/anticorruption-postgres.XXXXXX)"
    chown postgres "$outside"
    ln -s "$outside" "$PG_DIR"
  else
    mkdir -p "$PG_DIR"
  fi
  [ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR/"
  return 0
}

start_postgres() {
  if [ -n "${CKAN_SQLALCHEMY_URL:-}" ]; then
    say "PostgreSQL: using CKAN_SQLALCHEMY_URL"
    return
  fi
  [ -n "$PG_BIN" ] || fail "PostgreSQL could not start: its programs are missing (apt-get install postgresql)"
  prepare_pg_dir
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    say "PostgreSQL: creating a cluster in $PG_DATA"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 \
      || { log_tail "$PG_DIR/initdb.log"; fail "PostgreSQL could not create its cluster; log: $PG_DIR/initdb.log"; }
  fi
  if ! pg_running; then
    port_busy "$PG_PORT" && fail "PostgreSQL could not start: port $PG_PORT on 127.0.0.1 is in use by another program (set PG_PORT to another port, or CKAN_SQLALCHEMY_URL to use that server)"
    as_pg mkdir -p "$PG_SOCK"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_SOCK" >/dev/null \
      || { log_tail "$PG_LOG"; fail "PostgreSQL did not start; log: $PG_LOG"; }
  fi
  # The role and the databases (demo, tests, and the second site of the
  # DCAT harvesting test), created once.
  local psql=(as_pg "$PG_BIN/psql" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -qtAX -v ON_ERROR_STOP=1)
  if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" ]; then
    "${psql[@]}" -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD'"
  fi
  # The DataStore's read-only role: it may only read the DataStore databases
  # (`ckan datastore set-permissions`, run by scripts/lib.sh's datastore_setup).
  if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = '$DS_RO_USER'")" ]; then
    "${psql[@]}" -c "CREATE ROLE $DS_RO_USER LOGIN PASSWORD '$DS_RO_PASSWORD'"
  fi
  for db in ckan_demo ckan_test ckan_harvest_test datastore_demo datastore_test; do
    if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
      "${psql[@]}" -c "CREATE DATABASE $db OWNER $PG_USER ENCODING 'UTF8'"
    fi
  done
  say "PostgreSQL is ready on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
}

start_redis() {
  if [ -n "${CKAN_REDIS_URL:-}" ]; then
    say "Redis: using CKAN_REDIS_URL"
    return
  fi
  command -v redis-server >/dev/null || fail "Redis could not start: redis-server is missing (apt-get install redis-server)"
  mkdir -p "$REDIS_DIR"
  if ! pid_alive "$REDIS_DIR/redis.pid"; then
    port_busy "$REDIS_PORT" && fail "Redis could not start: port $REDIS_PORT on 127.0.0.1 is in use by another program (set REDIS_PORT, or CKAN_REDIS_URL to use that server)"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
      --dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
      --save 60 1 >/dev/null || { log_tail "$REDIS_DIR/redis.log"; fail "Redis did not start; log: $REDIS_DIR/redis.log"; }
  fi
  for _ in $(seq 50); do
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
    sleep 0.1
  done
  [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] \
    || { log_tail "$REDIS_DIR/redis.log"; fail "Redis does not answer; log: $REDIS_DIR/redis.log"; }
  say "Redis is ready on 127.0.0.1:$REDIS_PORT (log: $REDIS_DIR/redis.log)"
}

solr_ready() { curl -sf "http://127.0.0.1:$SOLR_PORT/solr/ckan/select?q=*:*&rows=0" >/dev/null 2>&1; }

start_solr() {
  if [ -n "${CKAN_SOLR_URL:-}" ]; then
    say "Solr: using CKAN_SOLR_URL"
    return
  fi
  mkdir -p "$SOLR_DIR"
  if pid_alive "$SOLR_PID" && solr_ready; then
    say "Solr is ready at http://127.0.0.1:$SOLR_PORT/solr/ckan (log: $SOLR_LOG)"
    return
  fi
  command -v java >/dev/null || fail "Solr could not start: Java is missing (apt-get install default-jdk-headless)"
  local java_major
  java_major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [ "${java_major:-0}" -ge 11 ] 2>/dev/null || fail "Solr could not start: Java $java_major is too old (Solr 9 needs 11 or newer)"
  [ -f "$ROOT/solr/target/classpath.txt" ] || fail "Solr could not start: the launcher is not built (run scripts/bootstrap.sh)"
  port_busy "$SOLR_PORT" && fail "Solr could not start: port $SOLR_PORT on 127.0.0.1 is in use by another program (set SOLR_PORT, or CKAN_SOLR_URL to use that server)"
  local schema
  schema="$("$VENV/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml"))')"
  say "Solr: starting with CKAN's schema $schema"
  nohup java -Xms256m -Xmx1g -Dsolr.log.dir="$SOLR_DIR" \
    -cp "$ROOT/solr/target/classes:$(cat "$ROOT/solr/target/classpath.txt")" \
    org.anticorruption.solr.Launcher "$SOLR_DIR/home" "$SOLR_PORT" "$schema" \
    >"$SOLR_LOG" 2>&1 </dev/null &
  echo $! >"$SOLR_PID"
  for _ in $(seq 180); do
    solr_ready && break
    pid_alive "$SOLR_PID" || { log_tail "$SOLR_LOG"; fail "Solr stopped while starting; log: $SOLR_LOG"; }
    sleep 0.5
  done
  solr_ready || { log_tail "$SOLR_LOG"; fail "Solr did not answer within 90 s; log: $SOLR_LOG"; }
  say "Solr is ready at http://127.0.0.1:$SOLR_PORT/solr/ckan (log: $SOLR_LOG)"
}

stop_all() {
  if pid_alive "$SOLR_PID"; then kill "$(cat "$SOLR_PID")"; say "Solr stopped"; fi
  rm -f "$SOLR_PID"
  if pid_alive "$REDIS_DIR/redis.pid"; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill "$(cat "$REDIS_DIR/redis.pid")"
    say "Redis stopped"
  fi
  if [ -n "$PG_BIN" ] && pg_running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null; say "PostgreSQL stopped"
  fi
}

status_all() {
  if pg_running; then echo "PostgreSQL: running on 127.0.0.1:$PG_PORT"; else echo "PostgreSQL: stopped"; fi
  if pid_alive "$REDIS_DIR/redis.pid"; then echo "Redis: running on 127.0.0.1:$REDIS_PORT"; else echo "Redis: stopped"; fi
  if solr_ready; then echo "Solr: running at http://127.0.0.1:$SOLR_PORT/solr/ckan"; else echo "Solr: stopped"; fi
}

# psql: an SQL script on stdin, run as PostgreSQL's superuser on our cluster
# (used for `ckan datastore set-permissions`).
run_psql() {
  pg_running || fail "PostgreSQL is not running (scripts/services.sh start)"
  PGOPTIONS="--client-min-messages=warning" as_pg "$PG_BIN/psql" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -qX -v ON_ERROR_STOP=1
}

case "${1:-}" in
  start) start_postgres; start_redis; start_solr ;;
  psql) run_psql ;;
  stop) stop_all ;;
  status) status_all ;;
  *) echo "usage: $0 start|stop|status|psql" >&2; exit 2 ;;
esac
