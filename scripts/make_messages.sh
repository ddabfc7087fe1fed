#!/bin/sh
# Refresh and compile our own Danish catalogue (locale/da/LC_MESSAGES/django.po).
# Needs GNU gettext. Third-party strings live in locale_thirdparty/ (scripts/thirdparty_catalog.py),
# including those of our copies of Wagtail admin templates (templates/wagtailadmin/).
#
#   scripts/make_messages.sh          # extract new msgids into django.po, then compile
#   scripts/make_messages.sh compile  # only compile django.po to django.mo
#
# After extracting: translate every empty msgstr and every fuzzy entry (docs/glossary.md),
# run this script again with "compile", and commit both django.po and django.mo.
set -eu
cd "$(dirname "$0")/.."
PO=locale/da/LC_MESSAGES/django.po
MO=locale/da/LC_MESSAGES/django.mo

if [ "${1:-}" != "compile" ]; then
    mkdir -p locale
    DJANGO_DEBUG=1 python manage.py makemessages -l da --no-location \
        --ignore=.venv --ignore=node_modules --ignore=locale_thirdparty --ignore=tests \
        --ignore=bench --ignore=scripts --ignore=staticfiles --ignore=test-artifacts \
        --ignore=var --ignore=media --ignore=.git --ignore=templates/wagtailadmin
fi

msgfmt --check-format --check-header -o "$MO" "$PO"

untranslated=$(msgattrib --untranslated --no-obsolete "$PO" | grep -c '^msgid' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$PO" | grep -c '^msgid' || true)
# msgattrib prints the header entry too when there is anything else to print.
echo "$(grep -c '^msgid ' "$PO") msgids; untranslated entries: $untranslated; fuzzy entries: $fuzzy (0 means done)"
