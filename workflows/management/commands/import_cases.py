"""manage.py import_cases FILE.csv [--check]: historical cases, all rows or none."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from workflows.reporting.importer import cases_import


class Command(BaseCommand):
    help = (
        "Import closed historical cases from a CSV file (see docs/status_report.md). "
        "Nothing is imported unless every row is valid; rows imported before are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--check", action="store_true", help="Only check the file; import nothing."
        )

    def handle(self, *args, file, check, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        with translation.override(settings.LANGUAGE_CODE):
            result = cases_import(data=path.read_bytes(), check_only=check)
            for error in result.errors:
                column = f" [{error.column}]" if error.column else ""
                self.stderr.write(f"Row {error.row}{column}: {error.message}")
        if result.errors:
            raise CommandError(f"{len(result.errors)} errors; nothing was imported.")
        for row, key in result.already_imported:
            self.stdout.write(f"Row {row}: case number {key} was imported before; skipped.")
        verb = "would be imported" if check else "imported"
        self.stdout.write(self.style.SUCCESS(f"{result.created} cases {verb}."))
