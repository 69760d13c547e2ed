"""The case-link filters write what the template tags they replace write."""

import uuid

from django.template import Context, Template
from django.urls import reverse

from amends.cases.templatetags.case_links import case_url
from amends.triage.selectors import ClusterMember


def test_case_url_is_the_reversed_path():
    public_id = uuid.uuid4()
    assert case_url(public_id) == reverse("cases:case", args=[public_id])
    assert case_url(str(public_id)) == reverse("cases:case", args=[public_id])


def test_case_items_write_what_the_template_loop_wrote():
    members = [
        ClusterMember(uuid.uuid4(), "AM-2026-1000299", "sr", 'A <b> & "x" ' + "y" * 90),
        ClusterMember(uuid.uuid4(), "AM-2026-000001", "zz", "short"),
        ClusterMember(uuid.uuid4(), "AM-2026-000002", "ru", "Cafe\u0301 " * 20),
    ]
    loop = Template(
        "{% load display %}{% for case in cases %}<li><a href=\"{% url 'cases:case' case.public_id %}\" "
        'class="reference">{{ case.reference }}</a> <span class="badge">{{ case.language|language_label }}</span> '
        "{{ case.subject|truncatechars:80 }}</li>{% endfor %}"
    )
    items = Template("{% load case_links %}{{ cases|case_items }}")
    assert items.render(Context({"cases": members})) == loop.render(Context({"cases": members}))
