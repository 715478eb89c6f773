#!/usr/bin/env bash
# `make demo`: install, start the services, prepare the database, create the
# sysadmin and the demo data, start a jobs worker and serve the portal on
# http://127.0.0.1:5000 until Ctrl-C. Existing data is kept.
# `make serve` (scripts/demo.sh --serve): the same portal under gunicorn with
# WEB_WORKERS processes (default 2) of WEB_THREADS threads each (default 30)
# and a jobs worker started again whenever it exits (`ckan anticorruption worker`).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MODE=dev
[ "${1:-}" = "--serve" ] && MODE=serve
PORT="${PORT:-5000}"

"$ROOT/scripts/bootstrap.sh"
"$ROOT/scripts/services.sh" start

export CKAN_SQLALCHEMY_URL="${CKAN_SQLALCHEMY_URL:-postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/ckan_demo}"
export CKAN_SOLR_URL="${CKAN_SOLR_URL:-http://127.0.0.1:$SOLR_PORT/solr/ckan}"
export CKAN_REDIS_URL="${CKAN_REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/0}"
datastore_urls datastore_demo
CONFIG="$DEV/ckan.ini"
export CKAN_INI="$CONFIG"
mkdir -p "$DEV/logs"

if [ ! -f "$CONFIG" ]; then
  say "Writing $CONFIG (with fresh secrets)"
  ckan_cmd generate config "$CONFIG" >/dev/null
fi
ckan_cmd config-tool "$CONFIG" -f "$ROOT/config/demo.ini" >/dev/null
ckan_cmd config-tool "$CONFIG" -s logger_ckan level=WARNING >/dev/null
ckan_cmd config-tool "$CONFIG" -s logger_ckanext level=WARNING >/dev/null

say "Upgrading the database (CKAN and the extension's migrations)"
ckan_cmd db upgrade >/dev/null
ckan_cmd db pending-migrations --apply >/dev/null
datastore_setup
# Datasets kept from an earlier run get the index fields of a newer extension.
ckan_cmd search-index rebuild >/dev/null

password_file="$DEV/sysadmin.password"
if ! ckan_cmd user show admin 2>/dev/null | grep -q "name=admin"; then
  say "Creating the sysadmin 'admin'"
  "$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(12))' >"$password_file"
  chmod 600 "$password_file"
  ckan_cmd user add admin email=admin@example.invalid password="$(cat "$password_file")" >/dev/null
  ckan_cmd sysadmin add admin >/dev/null
  rm -f "$DEV/sysadmin.token"
fi
if [ ! -s "$DEV/sysadmin.token" ]; then
  ckan_cmd user token add admin demo | tail -n1 | tr -d '[:space:]' >"$DEV/sysadmin.token"
  chmod 600 "$DEV/sysadmin.token"
fi

say "Loading the demo data (agencies, datasets checked as they are uploaded, a year of coverage history)"
demo_log="$DEV/logs/demo.log"
if ! ckan_cmd anticorruption demo >"$demo_log" 2>&1; then
  tail -n 20 "$demo_log" >&2
  fail "the demo data could not be loaded (see $demo_log)"
fi
grep -v "^kept " "$demo_log" || true
# Files kept from an earlier run are checked again by the current extension
# (new checks, and the linkage index behind the red flags). A fresh load has
# just checked every file. The demo takes today's coverage snapshot itself.
if grep -q "^kept dataset" "$demo_log"; then
  ckan_cmd anticorruption validate --all >/dev/null
fi

worker_pid="$DEV/worker.pid"
if pid_alive "$worker_pid"; then kill "$(cat "$worker_pid")" 2>/dev/null || true; fi
if [ "$MODE" = serve ]; then
  # Supervised: an RQ worker exits when Redis goes away; it is started again.
  # The program itself in the background, not the shell function ckan_cmd: $!
  # must be the supervisor, which the trap below stops (and it stops its worker),
  # not a subshell whose death would leave both running.
  "$VENV/bin/ckan" anticorruption worker >"$DEV/logs/worker.log" 2>&1 &
else
  "$VENV/bin/ckan" jobs worker >"$DEV/logs/worker.log" 2>&1 &
fi
echo $! >"$worker_pid"
trap 'kill "$(cat "$worker_pid")" 2>/dev/null || true; rm -f "$worker_pid"' EXIT

port_busy "$PORT" && fail "the portal could not start: port $PORT on 127.0.0.1 is in use by another program (set PORT)"
cat <<MSG

  Portal:    http://127.0.0.1:$PORT   (Spanish by default; English at /en/)
  Sysadmin:  admin / $(cat "$password_file" 2>/dev/null || echo "(password set before; see $password_file)")
  API token: $DEV/sysadmin.token
  Logs:      $DEV/logs/   Services: $DEV/   Stop services: make stop

MSG
if [ "$MODE" = serve ]; then
  say "Serving with gunicorn (${WEB_WORKERS:-2} workers of ${WEB_THREADS:-30} threads); the jobs worker is supervised"
  # Uploads are streamed by the web process to storage; a slow client must not
  # hold a worker for ever: gunicorn's timeout bounds each request.
  # Threads (CKAN is thread-safe; its docs serve it with mod_wsgi threads=15):
  # a keep-alive connection stays with the process that accepted it, and a
  # request waits for a free thread of that process. With fewer threads than
  # connections, a short page waits behind slow ones (a search, an upload);
  # with enough, the CPU is shared between the requests in progress. One
  # process per core, 30 threads each: 50 clients never wait for a thread
  # (bench/load.py). config/demo.ini lets the database pool grow to 40.
  "$VENV/bin/gunicorn" --workers "${WEB_WORKERS:-2}" --worker-class gthread --threads "${WEB_THREADS:-30}" \
    --bind "127.0.0.1:$PORT" --timeout 300 \
    --access-logfile "$DEV/logs/access.log" --error-logfile - \
    ckanext.anticorruption.wsgi:application 2>&1 | tee -a "$DEV/logs/ckan.log"
else
  ckan_cmd run -H 127.0.0.1 -p "$PORT" --disable-reloader 2>&1 | tee -a "$DEV/logs/ckan.log"
fi
