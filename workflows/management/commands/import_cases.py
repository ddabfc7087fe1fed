"""manage.py import_cases FILE [--check]: historical cases from CSV or .xlsx, all rows or none."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workflows.reporting.importer import cases_import


class Command(BaseCommand):
    def add_arguments(self, parser):
        # Translated when the parser is made (argparse takes no lazy text): in the
        # default language, Danish, like everything else the command says.
        parser.description = _(
            "Import closed historical cases from a CSV file or an Excel workbook (.xlsx) (see "
            "docs/status_report.md). Nothing is imported unless every row is valid; rows "
            "imported before are skipped."
        )
        parser.add_argument("file", help=_("CSV file or Excel workbook (.xlsx)"))
        parser.add_argument(
            "--check", action="store_true", help=_("Only check the file; import nothing")
        )

    def handle(self, *args, file, check, **options):
        # Danish like the upload screen: the administrator running it reads the same messages.
        with translation.override(settings.LANGUAGE_CODE):
            self._import(Path(file), check)

    def _import(self, path, check):
        if not path.is_file():
            raise CommandError(_("There is no file %(file)s.") % {"file": path})
        result = cases_import(data=path.read_bytes(), check_only=check)
        for error in result.errors:
            if error.column:
                line = _("Row %(row)s [%(column)s]: %(message)s")
            else:
                line = _("Row %(row)s: %(message)s")
            self.stderr.write(
                line % {"row": error.row, "column": error.column, "message": error.message}
            )
        if result.errors:
            raise CommandError(
                ngettext(
                    "%(count)s error; nothing was imported.",
                    "%(count)s errors; nothing was imported.",
                    len(result.errors),
                )
                % {"count": len(result.errors)}
            )
        for row, key in result.already_imported:
            self.stdout.write(
                _("Row %(row)s: case number %(key)s was imported before; skipped.")
                % {"row": row, "key": key}
            )
        for entry in result.review:
            self.stdout.write(
                _(
                    "To review: row %(row)s (case number %(key)s, %(alias)s, born %(year)s) "
                    "is taken as a new person, but someone registered has the same alias and birth "
                    "year (cases %(cases)s)."
                )
                % {
                    "row": entry.row,
                    "key": entry.key,
                    "alias": entry.alias,
                    "year": entry.birth_year,
                    "cases": ", ".join(entry.cases),
                }
            )
        if check:
            done = ngettext(
                "%(count)s case would be imported.",
                "%(count)s cases would be imported.",
                result.created,
            )
        else:
            done = ngettext("%(count)s case imported.", "%(count)s cases imported.", result.created)
        self.stdout.write(self.style.SUCCESS(done % {"count": result.created}))
