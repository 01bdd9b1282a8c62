"""Credentials never shown (issue 10, finding 4): views show the manifest's own ${VAR} text,
live URLs are masked everywhere a credential can hide, and the tool's own secrets cannot be
interpolated into a manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apply_support import World, write
from hypothesis import given
from hypothesis import strategies as st

from websets_sync.errors import ManifestError
from websets_sync.manifest import load_desired_state
from websets_sync.model.redact import REDACTED, redact_url
from websets_sync.plan.contract import plan_to_dict
from websets_sync.render.console import Console
from websets_sync.render.markdown import render_plan_markdown
from websets_sync.render.text import render_plan_text

SECRET = "S3cr3tV4lue"

#: Credential forms seen in webhook URLs; each holds SECRET where the credential goes.
CORPUS = [
    f"https://user:{SECRET}@hooks.example.com/in",
    f"https://{SECRET}@hooks.example.com/in",
    f"https://{SECRET}:x-oauth-basic@hooks.example.com/in",
    f"https://hooks.example.com/in?token={SECRET}",
    f"https://hooks.example.com/in?access_token={SECRET}",
    f"https://hooks.example.com/in?api_key={SECRET}",
    f"https://hooks.example.com/in?apikey={SECRET}",
    f"https://hooks.example.com/in?key={SECRET}",
    f"https://hooks.example.com/in?jwt={SECRET}",
    f"https://hooks.example.com/in?pass={SECRET}",
    f"https://hooks.example.com/in?pw={SECRET}",
    f"https://hooks.example.com/in?sig={SECRET}&se=2030-01-01",
    f"https://hooks.example.com/in?code={SECRET}",
    f"https://hooks.example.com/in?x={SECRET}",
    f"https://hooks.example.com/in?a=1&b={SECRET}",
    f"https://hooks.example.com/in?{SECRET}",
    f"https://hooks.example.com/in#access_token={SECRET}",
    f"https://hooks.example.com/in#{SECRET}",
    f"https://hooks.example.com/in;token={SECRET}",
    f"https://hooks.example.com/in;jsessionid={SECRET}/more",
    f"https://hooks.example.com/api/{SECRET}",
    f"https://hooks.example.com/hook/{SECRET}/send",
    f"https://hooks.slack.com/services/T000/B000/{SECRET}",
    f"https://discord.com/api/webhooks/123456/{SECRET}",
    f"https://hooks.zapier.com/hooks/catch/123/{SECRET}/",
    f"https://outlook.webhook.office.com/webhookb2/{SECRET}",
    f"https://chat.googleapis.com/v1/spaces/AAA/messages?key={SECRET}&token=t",
    f"https://api.telegram.org/bot{SECRET}/sendMessage",
    f"https://example.com/webhook/{SECRET}?a=b#c",
    f"https://user:{SECRET}@example.com:8443/path?q=1",
    f"http://localhost:9000/in?secret={SECRET}",
    f"https://example.com/in/whsec_{SECRET}",
    f"https://example.com/in/sk_live_{SECRET}",
    f"https://example.com/in/ghp_{SECRET}",
    f"https://example.com/in/xoxb-1-{SECRET}",
    f"https://EXAMPLE.com/IN?TOKEN={SECRET}",
    f"https://example.com/in?token={SECRET}&token=again",
    f"https://example.com/in?redirect=https%3A%2F%2Fx%2F%3Ftoken%3D{SECRET}",
]


def test_the_corpus_has_at_least_30_forms_and_every_one_is_masked() -> None:
    assert len(CORPUS) >= 30
    misses = [url for url in CORPUS if SECRET.lower() in redact_url(url).lower()]
    assert misses == []
    assert all(REDACTED in redact_url(url) for url in CORPUS)


_TOKEN = st.text(
    alphabet=st.sampled_from("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"),
    min_size=8,
    max_size=40,
).filter(lambda t: sum(c.isdigit() for c in t) >= 2 and sum(c.isalpha() for c in t) >= 2)


@given(form=st.sampled_from(CORPUS), token=_TOKEN)
def test_no_credential_form_ever_shows_its_value(form: str, token: str) -> None:
    url = form.replace(SECRET, token)
    assert token.lower() not in redact_url(url).lower()


def test_plain_urls_stay_readable() -> None:
    for url in (
        "https://hooks.example.com/in",
        "https://example.com/api/v1/webhooks/events",
        "https://hooks.example.com/n00000",
        "https://hooks.example.com/hook-7/2024",
    ):
        assert redact_url(url) == url


MANIFEST = """\
version: 1
project: p
webhooks:
  - externalId: crm
    url: ${CRM_WEBHOOK_URL}
    events: [webset.idle]
"""


def test_views_show_the_manifests_own_variable_text(tmp_path: Path) -> None:
    world = World(tmp_path)
    path = write(tmp_path / "m.yaml", MANIFEST)
    desired, _ = load_desired_state([path], {"CRM_WEBHOOK_URL": f"https://h.test/x?t={SECRET}"})
    from websets_sync.fetch import fetch_live_state
    from websets_sync.plan import PlanOptions, build_plan

    plan = build_plan(desired, fetch_live_state(world.client), None, PlanOptions())
    views = [
        json.dumps(plan_to_dict(plan)),
        render_plan_text(plan, Console(color=False)),
        render_plan_markdown(plan),
    ]
    for view in views:
        assert SECRET not in view
        assert "${CRM_WEBHOOK_URL}" in view


@pytest.mark.parametrize("name", ["EXA_API_KEY", "WEBSETS_SYNC_API_URL", "WEBSETS_SYNC_TOKEN"])
def test_the_tools_own_secrets_cannot_be_interpolated(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / "m.yaml", MANIFEST.replace("CRM_WEBHOOK_URL", name))
    with pytest.raises(ManifestError) as caught:
        load_desired_state([path], {name: f"https://h.test/{SECRET}"})
    [problem] = caught.value.problems
    assert problem.line == 5 and "websets-sync's own setting" in problem.message
    assert SECRET not in str(caught.value) + (caught.value.detail or "")
