"""The case page of a public post, in a real Chromium: the post's facts in words, the reply box that posts under the
brand's account, the coach holding it to the public rules, and the hand-over to a real local connector."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from amends.accounts.services import user_create
from amends.cases.intake import IntakeRequest, case_open
from amends.cases.public_threads import PublicPost
from amends.cases.tests.test_browser import CHROMIUM, browser, expect, shot  # noqa: F401 - the browser fixture
from amends.outbox.services import outbox_deliver_due
from amends.webhooks.services import webhook_endpoint_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not __import__("pathlib").Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


class _Accept(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.posted += 1  # type: ignore[attr-defined]
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_an_agent_answers_a_public_post_from_the_brand(browser, live_server, settings):  # type: ignore[no-untyped-def]  # noqa: F811
    connector = ThreadingHTTPServer(("127.0.0.1", 0), _Accept)
    connector.posted = 0  # type: ignore[attr-defined]
    threading.Thread(target=connector.serve_forever, daemon=True).start()
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    webhook_endpoint_create(
        url=f"http://127.0.0.1:{connector.server_address[1]}/replies", events=["public_reply.requested"]
    )
    user_create(username="ana", password="agent-password-1", first_name="Ana", role="agent")
    case = case_open(
        request=IntakeRequest(
            email="",
            name="Anna",
            language="en",
            channel="public_thread",
            description="Your shop assistant made me wait outside in minus thirty. Never again!",
            public=PublicPost(
                platform="instagram", handle="@AnnaK", post_url="https://www.instagram.com/p/Cx1/", followers=2400
            ),
        )
    ).case
    agent = browser.new_context(locale="en-GB").new_page()
    agent.goto(live_server.url + f"/console/cases/{case.public_id}/")
    agent.fill("input[name=username]", "ana")
    agent.fill("input[name=password]", "agent-password-1")
    agent.click("button[type=submit]")
    facts = agent.locator("[data-testid=public-thread]")
    expect(facts).to_contain_text("Written on Instagram by @AnnaK")
    expect(facts).to_contain_text("2,400 followers")
    assert facts.locator("a").first.get_attribute("href") == "https://www.instagram.com/p/Cx1/"
    expect(agent.locator("[data-testid=public-reply-label]")).to_have_text(
        "Public reply (posted by the brand's account)"
    )
    # Speaking to an onlooker is held back as the agent types.
    agent.locator("#id_body").press_sequentially("Anna, we are sorry. @kate_w, you were not there.")
    expect(agent.locator("[data-testid=coach] li[data-rule=onlookers]")).to_be_visible()
    agent.locator("#id_body").fill(
        "Anna, we are so sorry: keeping you outside in the cold was our mistake. Thank you for telling us. "
        "Please write to us privately and we will make it right today."
    )
    agent.click("text=Post public reply")
    expect(agent.locator("[data-testid=public-reply-delivery]")).to_contain_text(
        "Waiting to be handed to the connector"
    )
    assert outbox_deliver_due() == 1 and connector.posted == 1  # type: ignore[attr-defined]
    agent.reload()
    expect(agent.locator("[data-testid=public-reply-delivery]")).to_contain_text("Accepted by the connector")
    shot(agent, "public-thread-case")
    connector.shutdown()
