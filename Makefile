# The two commands of the README, and a few helpers.
.PHONY: demo serve test setup services stop status

demo:     ## install, start the services, load the demo data, serve http://127.0.0.1:5000
	@scripts/demo.sh

serve:    ## the demo portal under gunicorn (WEB_WORKERS, default 2; WEB_THREADS, default 30) with a supervised jobs worker
	@scripts/demo.sh --serve

test:     ## the same set-up, then the whole test suite against the real services
	@scripts/test.sh $(PYTEST_ARGS)

setup:    ## install only: Debian packages, the virtualenv, the Solr launcher
	@scripts/bootstrap.sh

services: ## start PostgreSQL, Redis and Solr
	@scripts/services.sh start

stop:     ## stop the services started by the scripts
	@scripts/services.sh stop

status:
	@scripts/services.sh status
