import pytest
from django.core.exceptions import ImproperlyConfigured

from amends.env import Env


def test_it_rejects_an_unknown_amends_variable():
    with pytest.raises(ImproperlyConfigured, match="AMENDS_EMIAL_HOST"):
        Env({"AMENDS_EMIAL_HOST": "smtp.example.com"})


def test_it_rejects_a_bool_it_cannot_read():
    with pytest.raises(ImproperlyConfigured, match="AMENDS_DEBUG"):
        Env({"AMENDS_DEBUG": "maybe"}).bool("AMENDS_DEBUG")


def test_it_rejects_a_port_out_of_range():
    with pytest.raises(ImproperlyConfigured, match="between 1 and 65535"):
        Env({"AMENDS_EMAIL_PORT": "70000"}).int("AMENDS_EMAIL_PORT", 25, minimum=1, maximum=65535)


def test_it_rejects_an_unknown_task_backend():
    with pytest.raises(ImproperlyConfigured, match="database, redis, immediate"):
        Env({"AMENDS_TASK_BACKEND": "celery"}).choice(
            "AMENDS_TASK_BACKEND", ("database", "redis", "immediate"), "database"
        )


def test_it_reads_lists_and_defaults():
    env = Env({"AMENDS_ALLOWED_HOSTS": "a.example, b.example,"})
    assert env.list("AMENDS_ALLOWED_HOSTS", []) == ["a.example", "b.example"]
    assert env.bool("AMENDS_PRODUCTION", default=False) is False
