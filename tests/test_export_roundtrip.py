"""Round trip: whatever export writes plans with no changes against the account it came from.

Live state is made the real way (plan + apply of the examples against the in-process emulator),
or seeded as a dashboard would leave it; export goes through the real fetch and the files are
read back by the real loader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from websets_sync.apply.runner import apply_plan
from websets_sync.client.endpoints import WebsetsClient
from websets_sync.emulator import Emulator, Timing
from websets_sync.export import export_state, remembered_names, render_files
from websets_sync.fetch import fetch_live_state
from websets_sync.manifest.schema import load_desired_state
from websets_sync.model import TAG_PROJECT, Address
from websets_sync.plan import Action, Plan, PlanOptions, build_plan
from websets_sync.plan.imports import needs_imports
from websets_sync.state.store import StateStore, load_state

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SETS = sorted(
    p for p in (ROOT / "examples").iterdir() if p.is_dir() and any(p.rglob("*.yaml"))
)


@dataclass
class Account:
    """An emulated account, a client for it, and a state file."""

    tmp: Path
    emulator: Emulator = field(
        default_factory=lambda: Emulator(
            timing=Timing(search_seconds=0.0, enrichment_seconds=0.0, generate_seconds=0.0)
        )
    )

    def __post_init__(self) -> None:
        self.state_path = self.tmp / "state" / "state.json"
        self.client = WebsetsClient(
            httpx.Client(transport=self.emulator.transport()),
            api_key="test-key",
            api_url="http://emulator.local/websets/v0",
            rate_limit=None,
        )

    def plan(self, paths: list[Path], options: PlanOptions | None = None) -> Plan:
        desired, _ = load_desired_state(paths, {})
        state = load_state(self.state_path, project=desired.project)
        live = fetch_live_state(self.client, imports=needs_imports(desired, state))
        return build_plan(desired, live, state, options or PlanOptions())

    def apply(self, paths: list[Path], options: PlanOptions | None = None) -> None:
        plan = self.plan(paths, options)
        # One unit at a time: export lists objects in creation order, and these tests compare
        # that order with the manifest's (concurrent units would create in any order).
        with StateStore(self.state_path, plan.project) as store:
            result = apply_plan(plan, self.client, store, parallelism=1)
        assert result.ok, result

    def export(self, project: str, folder: Path) -> list[Path]:
        # As the CLI does: the state file names objects without tags (searches have none on the
        # real API, API-NOTES §9 R12).
        remembered = remembered_names(load_state(self.state_path), project)
        result = export_state(
            fetch_live_state(self.client, imports=True), project, remembered=remembered
        )
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in render_files(result, "schema.json").items():
            (folder / name).write_text(text, encoding="utf-8")
        return [folder]


def actions(plan: Plan) -> dict[str, str]:
    return {str(c.address): c.action.value for c in plan.changes}


def changed(plan: Plan) -> dict[str, str]:
    return {a: action for a, action in actions(plan).items() if action != Action.NOOP.value}


@pytest.fixture
def account(tmp_path: Path) -> Account:
    return Account(tmp_path)


@pytest.mark.parametrize("example", EXAMPLE_SETS, ids=lambda p: p.name)
def test_export_of_applied_examples_plans_no_changes(
    account: Account, example: Path, tmp_path: Path
) -> None:
    account.apply([example])
    desired, _ = load_desired_state([example], {})
    exported = account.export(desired.project, tmp_path / "exported")
    plan = account.plan(exported)
    assert changed(plan) == {}
    # every declared address is exported under the same name
    assert set(actions(plan)) == {str(a) for a in desired.addresses()}
    # and exporting again writes the very same files
    again = account.export(desired.project, tmp_path / "again")
    for path in sorted((tmp_path / "exported").iterdir()):
        assert (again[0] / path.name).read_text() == path.read_text()


def test_export_after_a_search_definition_changed_plans_no_changes(
    account: Account, tmp_path: Path
) -> None:
    manifest = tmp_path / "m" / "websets.yaml"
    manifest.parent.mkdir()
    text = """version: 1
project: p
websets:
  - externalId: leads
    searches:
      - externalId: initial
        query: {query}
        count: 5
"""
    manifest.write_text(text.format(query="Robotics startups in Munich"))
    account.apply([manifest.parent])
    manifest.write_text(text.format(query="Robotics startups in Bavaria"))
    account.apply([manifest.parent])  # runs a second search under the same externalId

    exported = account.export("p", tmp_path / "exported")
    plan = account.plan(exported)
    assert changed(plan) == {}
    webset = load_desired_state(exported, {})[0].websets[0]
    assert [(s.address.name, s.spec["query"]) for s in webset.searches] == [
        ("initial", "Robotics startups in Bavaria")
    ]


def test_dashboard_webset_is_pinned_adopted_then_stable(account: Account, tmp_path: Path) -> None:
    emulator = account.emulator
    webset = emulator.seed("webset", {"title": "Berlin fintech", "metadata": {"team": "sales"}})
    emulator.seed(
        "search",
        {"websetId": webset["id"], "query": "Fintech startups in Berlin", "count": 25},
    )
    emulator.seed(
        "enrichment", {"websetId": webset["id"], "description": "CEO name", "format": "text"}
    )

    exported = account.export("sales", tmp_path / "exported")
    desired = load_desired_state(exported, {})[0]
    assert desired.websets[0].pinned_id == webset["id"]
    assert desired.websets[0].address.name == "berlin-fintech"

    plan = account.plan(exported)
    # the only changes are taking ownership (tags); the search already runs this definition
    assert changed(plan) == {
        "webset/berlin-fintech": "adopt",
        "webset/berlin-fintech/enrichment/enrichment-1": "adopt",
    }
    assert plan.summary["run"] == 0 and plan.summary["create"] == 0

    account.apply(exported)
    assert emulator.store.find("webset", webset["id"])["metadata"][TAG_PROJECT] == "sales"
    assert changed(account.plan(exported)) == {}
    assert emulator.store.find("webset", webset["id"])["externalId"] is None
    again = account.export("sales", tmp_path / "again")
    assert (again[0] / "berlin-fintech.yaml").read_text() == (
        exported[0] / "berlin-fintech.yaml"
    ).read_text()


def test_a_pin_to_a_webset_that_is_gone_fails_clearly(account: Account, tmp_path: Path) -> None:
    from websets_sync.errors import PlanError

    webset = account.emulator.seed("webset", {"title": "Old list"})
    exported = account.export("sales", tmp_path / "exported")
    account.emulator.store.remove("webset", webset["id"])
    with pytest.raises(
        PlanError, match=f"pinned to webset id {webset['id']}, which does not exist"
    ):
        account.plan(exported)


def test_objects_whose_tags_were_dropped_keep_their_names(account: Account, tmp_path: Path) -> None:
    """A dashboard metadata edit replaces every tag; the state file still knows the ids."""
    from websets_sync.export import remembered_names

    example = ROOT / "examples" / "multi-file"
    account.apply([example])
    emulator = account.emulator
    for kind in ("webset", "search", "enrichment", "monitor", "webhook"):
        for stored in emulator.store.all(kind):
            emulator.edit(kind, stored["id"], {"metadata": {"edited": "in the dashboard"}})

    state = load_state(account.state_path, project="market-intel")
    live = fetch_live_state(account.client)
    result = export_state(live, "market-intel", remembered=remembered_names(state, "market-intel"))
    desired = load_desired_state([example], {})[0]
    plural = {"search": "searches", "enrichment": "enrichments", "monitor": "monitors"}
    declared = {
        (a.webset, plural[a.kind.value], a.name) for a in desired.addresses() if a.kind.is_child
    }
    exported = {
        (w["externalId"], key, child["externalId"])
        for w in result.websets
        for key in plural.values()
        for child in w.get(key, [])
    }
    assert exported == declared
    assert [w["externalId"] for w in result.websets] == [w.external_id for w in desired.websets]
    assert [h["externalId"] for h in result.webhooks] == [h.address.name for h in desired.webhooks]
    # without the state file, untagged webhooks could not be recognised by a plan
    assert export_state(live, "market-intel").webhooks == ()

    folder = tmp_path / "exported"
    folder.mkdir()
    for name, text in render_files(result, "schema.json").items():
        (folder / name).write_text(text, encoding="utf-8")
    # A state-file id alone never takes over an object with no tag of the project (issue 10,
    # finding 10): each match is reported, and taking it back needs --adopt ADDR.
    unasked = account.plan([folder])
    asked = tuple(Address.parse(w.split(":", 1)[0]) for w in unasked.warnings if "--adopt " in w)
    assert {str(a).split("/")[-2] for a in asked} <= {"enrichment", "monitor", "webhook"}
    assert len(asked) == sum(1 for c in unasked.changes if c.action is Action.CREATE)
    plan = account.plan([folder], PlanOptions(adopt=asked))
    assert set(changed(plan).values()) <= {"adopt", "update"}  # re-tag; metadata back to declared
    assert plan.summary["create"] == 0 and plan.summary["run"] == 0
    account.apply([folder], PlanOptions(adopt=asked))
    assert changed(account.plan([folder])) == {}
