#!/usr/bin/env bash
# Installs everything the portal and the tests need: Debian packages, a Python
# virtualenv with pinned versions, and the Solr launcher's Maven build. Each
# step is skipped when its inputs have not changed since the last run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

system_packages=(
  postgresql redis-server          # the database and the job queue
  default-jdk-headless maven       # the Solr launcher
  gcc libpq-dev python3-dev python3-venv libmagic1   # building psycopg2, python-magic
  chromium                         # browser tests (Playwright drives Debian's Chromium)
  curl
)

install_system_packages() {
  local missing=()
  for pkg in "${system_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return
  say "Installing Debian packages: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "these Debian packages are missing and there is no sudo: ${missing[*]}"
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python() {
  local stamp="$VENV/.anticorruption-installed"
  if [ ! -x "$VENV/bin/python" ]; then
    command -v "$PYTHON" >/dev/null || fail "$PYTHON not found; set PYTHON to a Python 3.10+ interpreter"
    say "Creating the virtualenv in $VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  if [ -f "$stamp" ] && [ -z "$(find "$ROOT/setup.py" "$ROOT/requirements-dev.txt" "$ROOT/constraints.txt" -newer "$stamp")" ]; then
    return
  fi
  say "Installing Python packages (pinned in constraints.txt)"
  "$VENV/bin/pip" install -q --upgrade "pip==26.3" "setuptools==84.2.1" "wheel==0.48.0"
  "$VENV/bin/pip" install -q -c "$ROOT/constraints.txt" -r "$ROOT/requirements-dev.txt" -e "$ROOT[serve]"
  touch "$stamp"
}

build_solr_launcher() {
  local cp="$ROOT/solr/target/classpath.txt"
  if [ -f "$cp" ] && [ -z "$(find "$ROOT/solr/pom.xml" "$ROOT/solr/src" -newer "$cp")" ]; then
    return
  fi
  say "Building the Solr launcher (Maven; the first run downloads Solr 9.10.1)"
  (cd "$ROOT/solr" && mvn -q -B -DskipTests package) || fail "the Maven build of the Solr launcher failed (see the output above)"
}

install_system_packages
install_python
build_solr_launcher
