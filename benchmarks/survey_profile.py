"""Where one one-click survey answer's time goes, in one process on a fresh database (SQLite, or PostgreSQL with
DATABASE_URL): GET /survey/<link>/ through Django's test client with the production middleware, as a customer's
click from the e-mail. Prints the CPU time per answer (unprofiled), the SQL statements of one satisfied and of one
dissatisfied answer, and where the time goes by part (middleware, view, signing, ORM, template, follow-up).
    AMENDS_DATA_DIR=/tmp/x python benchmarks/survey_profile.py [--answers 600] [--statements] [--top 30]"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amends.settings")

# (label, module, attribute): each is wrapped with a CPU timer; indentation shows what includes what.
PARTS = [
    ("whole request: middleware + view", "django.core.handlers.base", "BaseHandler.get_response"),
    ("  view, URL resolution, view middleware", "django.core.handlers.base", "BaseHandler._get_response"),
    ("    link read (signature check)", "amends.aftercare.links", "survey_token_read"),
    ("    survey look-up, incl. the link read", "amends.aftercare.surveys", "survey_by_token"),
    ("    one click (service: read, claim, event)", "amends.aftercare.surveys", "survey_click"),
    ("      survey read (values, no instances)", "amends.aftercare.surveys", "_click_row"),
    ("    answer recorded (service)", "amends.aftercare.surveys", "survey_answer"),
    ("      the event row", "amends.aftercare.surveys", "event_record"),
    ("      dissatisfied: reopen, priority, mail", "amends.aftercare.surveys", "_dissatisfied"),
    ("    follow-up enqueued", "amends.aftercare.surveys", "_followup_enqueue_now"),
    ("    the page (template)", "amends.aftercare.views", "render"),
    ("SQL statements (cursor execute, all)", "django.db.backends.utils", "CursorWrapper.execute"),
]


LEAN = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def _timed(spent: dict, label: str, module: str, attribute: str) -> None:
    import functools
    import importlib

    owner = importlib.import_module(module)
    name = attribute
    if "." in attribute:
        cls_name, name = attribute.split(".")
        owner = getattr(owner, cls_name)
    original = getattr(owner, name, None)
    if original is None:
        return
    spent[label] = 0.0

    @functools.wraps(original)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - started

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=600)
    parser.add_argument("--statements", action="store_true", help="list the SQL statements of one answer")
    parser.add_argument("--top", type=int, default=0, help="also print cProfile's top functions")
    parser.add_argument(
        "--middleware",
        choices=["full", "lean"],
        default="full",
        help="lean: the alternative of a reduced middleware list for the survey links (security headers, host "
        "check and clickjacking only: no static files, session, locale, CSRF, authentication or messages)",
    )
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    if args.middleware == "lean":
        settings.MIDDLEWARE = LEAN
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    count = 3 * args.answers + 400
    tokens = Path(tempfile.mkdtemp(prefix="amends-survey-profile-")) / "links.txt"
    os.environ.update({"BENCH_SURVEYS": str(count), "BENCH_TOKENS": str(tokens)})
    exec(compile((ROOT / "benchmarks" / "survey_setup.py").read_text(), "survey_setup.py", "exec"), {})  # noqa: S102
    from django.core import signing

    from amends.aftercare import links

    def score_of(path: str) -> int:
        return int(signing.Signer(salt=links.SALT).unsign(path.split("/")[2]).rsplit(".", 1)[1])

    paths = tokens.read_text().split()
    happy = [p for p in paths if score_of(p) >= 3]
    unhappy = [p for p in paths if score_of(p) <= 2]
    client = Client()

    def one(path: str) -> None:
        response = client.get(path)
        assert response.status_code == 200, (response.status_code, response.content[:300])

    for path in happy[:200]:  # warm-up: templates compiled, translations loaded, connections open
        one(path)
    rest = paths[200:]
    for label, path in (("a satisfied", happy[200]), ("a dissatisfied", unhappy[0])):
        with CaptureQueriesContext(connection) as captured:
            one(path)
        rest = [p for p in rest if p != path]
        print(f"{len(captured.captured_queries)} SQL statements for {label} answer ({connection.vendor})")
        if args.statements:
            for query in captured.captured_queries:
                print("   ", query["sql"][:150])
    measured, profiled = rest[: args.answers], rest[args.answers : 2 * args.answers]
    started = time.process_time()
    for path in measured:
        one(path)
    spent = time.process_time() - started
    share = sum(score_of(p) <= 2 for p in measured) / len(measured)
    print(
        f"{len(measured)} answers ({share:.0%} dissatisfied), {spent / len(measured) * 1000:.2f} ms CPU each "
        f"({args.middleware} middleware: {len(settings.MIDDLEWARE)} classes)"
    )
    spent_by: dict[str, float] = {}
    for label, module, attribute in PARTS:
        _timed(spent_by, label, module, attribute)
    started = time.process_time()
    for path in profiled:
        one(path)
    whole = time.process_time() - started
    print(f"timed by part (CPU per answer; the test client's GET itself {whole / len(profiled) * 1000:.2f} ms):")
    for label, _module, _attribute in PARTS:
        if label in spent_by:
            print(f"  {label:<48} {spent_by[label] / len(profiled) * 1000:6.2f} ms  {spent_by[label] / whole:4.0%}")
    if args.top:
        rest = rest[2 * args.answers :]
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for path in rest[: args.answers]:
            one(path)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
