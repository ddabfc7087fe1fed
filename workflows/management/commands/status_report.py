"""manage.py status_report --year 2025 --format csv --output statusrapport-2025.csv"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from workflows.reporting.disclosure import suppressed
from workflows.reporting.spreadsheet import csv_text
from workflows.reporting.status_report import status_report, status_report_rows


def _age_band(text: str) -> tuple[int, int]:
    """ "36-55" as (36, 55); a CommandError in the report's language otherwise."""
    low, _dash, high = text.partition("-")
    try:
        band = int(low), int(high)
    except ValueError:
        raise CommandError(
            _("Write the age range as two ages with a dash, for example 36-55.")
        ) from None
    if not 0 <= band[0] <= band[1] <= 120:
        raise CommandError(_("The age range must run from a lower to a higher age, 0 to 120."))
    return band


class Command(BaseCommand):
    help = "Write the annual status report as HTML, CSV (Danish Excel) or JSON."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["html", "csv", "json"], default="html")
        parser.add_argument("--output", help="File to write; standard output when left out.")
        parser.add_argument(
            "--age-band",
            help="An age range whose share of the people in contact is shown, e.g. 36-55.",
        )
        parser.add_argument(
            "--suppress",
            action="store_true",
            help="For publication: hide small counts and what would reveal them.",
        )

    def handle(self, *args, year, format, output, suppress, age_band, **options):
        if not 2000 <= year <= timezone.localdate().year:
            raise CommandError("The year must be from 2000 to this year.")
        with translation.override(settings.LANGUAGE_CODE):
            band = _age_band(age_band) if age_band else None
            report = status_report(year, age_band=band)
            if suppress:
                report = suppressed(report)
            if format == "csv":
                text = csv_text(status_report_rows(report))
            elif format == "json":
                text = json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n"
            else:
                text = render_to_string(
                    "workflows/leader/status_report_document.html",
                    {"report": report},
                )
        if output:
            Path(output).write_text(text, encoding="utf-8", newline="")
            self.stdout.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
