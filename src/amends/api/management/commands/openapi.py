import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amends.api.api import api

COMMITTED = Path(settings.BASE_DIR).parent.parent / "docs" / "openapi.json"


def current_schema() -> str:
    return json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the OpenAPI document to docs/openapi.json, or with --check fail if the committed one has drifted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true")

    def handle(self, *args: object, **options: object) -> None:
        schema = current_schema()
        if options["check"]:
            if not COMMITTED.exists() or COMMITTED.read_text() != schema:
                raise CommandError("docs/openapi.json is out of date: run 'manage.py openapi' and commit the result.")
            self.stdout.write("docs/openapi.json matches the API.")
            return
        COMMITTED.parent.mkdir(exist_ok=True)
        COMMITTED.write_text(schema)
        self.stdout.write(f"Wrote {COMMITTED}")
