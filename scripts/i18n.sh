#!/usr/bin/env bash
# Translation catalogues of the extension (es, en).
#   scripts/i18n.sh update    extract the strings and merge them into the .po files
#   scripts/i18n.sh compile   compile the .po files into the .mo files that ship
set -euo pipefail
source "$(dirname "$0")/lib.sh"
I18N="$ROOT/ckanext/anticorruption/i18n"
DOMAIN=ckanext-anticorruption
POT="$I18N/$DOMAIN.pot"
cd "$ROOT"
case "${1:-}" in
  update)
    "$VENV/bin/pybabel" extract -F babel.cfg --no-location --sort-output \
      -k _ -k ungettext:1,2 -k N_ --project=ckanext-anticorruption -o "$POT" ckanext
    for lang in es en; do
      if [ -f "$I18N/$lang/LC_MESSAGES/$DOMAIN.po" ]; then
        "$VENV/bin/pybabel" update --no-fuzzy-matching -i "$POT" -d "$I18N" -D "$DOMAIN" -l "$lang"
      else
        "$VENV/bin/pybabel" init -i "$POT" -d "$I18N" -D "$DOMAIN" -l "$lang"
      fi
    done ;;
  compile)
    "$VENV/bin/pybabel" compile -d "$I18N" -D "$DOMAIN" --statistics ;;
  *) echo "usage: $0 update|compile" >&2; exit 2 ;;
esac
