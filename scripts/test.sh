#!/usr/bin/env bash
# `make test`: the same set-up as the demo, then the whole test suite against
# the real PostgreSQL, Solr and Redis. Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

"$ROOT/scripts/bootstrap.sh"
"$ROOT/scripts/services.sh" start

export CKAN_SQLALCHEMY_URL="${CKAN_SQLALCHEMY_URL:-postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/ckan_test}"
export CKAN_SOLR_URL="${CKAN_SOLR_URL:-http://127.0.0.1:$SOLR_PORT/solr/ckan}"
export CKAN_REDIS_URL="${CKAN_REDIS_URL:-redis://127.0.0.1:$REDIS_PORT/1}"
datastore_urls datastore_test
export CKAN_INI="$ROOT/test.ini"

say "Preparing the test database"
ckan_cmd -c "$CKAN_INI" db upgrade >/dev/null
ckan_cmd -c "$CKAN_INI" db pending-migrations --apply >/dev/null
datastore_setup

say "Running the test suite"
cd "$ROOT"
set +e
"$VENV/bin/python" -m pytest --ckan-ini="$CKAN_INI" "$@"
status=$?
set -e
# pytest's 5 means no test ran: for the whole suite that is a failure too.
[ "$status" -eq 5 ] && echo "ERROR: no test was collected" >&2
exit "$status"
