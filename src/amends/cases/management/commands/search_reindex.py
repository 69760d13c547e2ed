"""Write the search documents of the cases that have none, a batch at a time (or, with --all, of every case).

Migration 0010 does this once for the cases there were; this command is for a database restored or loaded around
the services (a bulk import, a benchmark), and for rebuilding every document after the search keys change
(cases/search_text.py). Safe to stop and run again: each batch is its own transaction.
"""

import time

from django.core.management.base import BaseCommand

from amends.cases.search_documents import BATCH, search_documents_build


class Command(BaseCommand):
    help = "Write the case search documents that are missing (or all of them, with --all)."

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--all", action="store_true", help="rewrite every document, not only the missing ones")
        parser.add_argument("--batch", type=int, default=BATCH)

    def handle(self, *args: object, **options: object) -> None:
        started = time.monotonic()
        written = search_documents_build(batch=int(options["batch"]), rewrite=bool(options["all"]))  # type: ignore[call-overload]
        self.stdout.write(f"{written} search documents written in {time.monotonic() - started:.1f} s")
