"""Rate limits hold across processes: two real gunicorn servers on one database share one allowance.

Each server is its own process (as two machines would be); the requests alternate between them. On SQLite the
database is the test database's file; CI runs this again on PostgreSQL and with the Redis mode's shared cache.
"""

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from amends.conftest import free_port, open_case
from amends.outbox.tests.test_worker import database_url

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

SRC = Path(__file__).resolve().parents[3]


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "AMENDS_DATA_DIR": str(settings.DATA_DIR)}
    log = open(Path(settings.DATA_DIR) / f"gunicorn-{port}.log", "ab")  # noqa: SIM115 - the child process owns it
    command = [sys.executable, "-m", "gunicorn", "amends.wsgi", "--chdir", str(SRC), "--workers", "1"]
    return subprocess.Popen(
        [*command, "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=log,
        stderr=log,
    )


def complain(client: httpx.Client, url: str, token: str, n: int) -> httpx.Response:
    return client.post(
        url + "/",
        data={
            "csrfmiddlewaretoken": token,
            "description": f"The parcel {n} arrived broken and nobody answers the phone.",
            "email": f"customer{n}@example.com",
        },
    )


def csrf_token(client: httpx.Client, url: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url + "/").text).group(1)


@pytest.fixture(scope="module")
def servers(django_db_setup: None) -> Iterator[list[str]]:
    ports = [free_port(), free_port()]
    processes = [start_server(port) for port in ports]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    httpx.get(url + "/", timeout=5).raise_for_status()
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, f"{url} did not start (see gunicorn-*.log)"
                    time.sleep(0.1)
        # Each server reads its triage models on its first complaint: let another address (127.0.0.2, loopback
        # too) send those, so the tests' own minute is spent on the limit only.
        with httpx.Client(timeout=60, transport=httpx.HTTPTransport(local_address="127.0.0.2")) as other:
            token = csrf_token(other, urls[0])
            for n, url in enumerate(urls):
                assert complain(other, url, token, n).status_code == 200
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def fresh_window(needed: float) -> None:
    """Counts are kept per minute; start where the whole run fits into one minute."""
    left = 60 - time.time() % 60
    if left < needed:
        time.sleep(left + 0.1)


def test_the_complaint_form_takes_ten_a_minute_from_one_address_across_servers(servers):
    client = httpx.Client(timeout=30)
    token = csrf_token(client, servers[0])
    fresh_window(needed=5)
    codes = [complain(client, servers[n % 2], token, n).status_code for n in range(16)]
    assert codes == [200] * 10 + [429] * 6, codes


def test_status_link_guesses_are_thirty_a_minute_across_servers_even_all_at_once(servers):
    status_url = open_case().status_url
    client = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=8))
    fresh_window(needed=5)
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda n: client.get(f"{servers[n % 2]}/status/t/guess-{n}/").status_code, range(36)))
    assert sorted(codes) == [404] * 30 + [429] * 6, codes
    # The real link is refused too until the minute is over: the limit is on the address, not on wrong guesses.
    assert client.get(servers[0] + status_url.removeprefix(settings.BASE_URL)).status_code == 429
