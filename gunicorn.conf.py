"""gunicorn settings for amends' web workers: `gunicorn amends.wsgi --config gunicorn.conf.py` (scripts/run and the
README's production command use this file; benchmarks/memory.py measures what it saves)."""

# The master imports the application and loads every model (triage's language detector, category learner and
# sentiment weights, the reply coach) before it forks: the workers then share those pages copy-on-write instead
# of each reading its own copy, and the first complaint a worker takes is not the one that waits for them.
preload_app = True


def when_ready(server):  # type: ignore[no-untyped-def]
    from amends.wsgi import preload_models

    preload_models(server.log)
