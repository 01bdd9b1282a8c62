"""Which live objects an export takes, and under which project: ownership, and whether a plan
could recognise an untagged object once it is declared."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from websets_sync.errors import WebsetsSyncError
from websets_sync.model import Address, LiveObject, LiveState
from websets_sync.model.kinds import RULES
from websets_sync.state.store import State


def infer_project(live: LiveState) -> str | None:
    """The one project the live objects are tagged with; None if none is; error if several."""
    objects = [w.webset for w in live.websets] + list(live.webhooks)
    projects = sorted({obj.project for obj in objects if obj.project is not None})
    if len(projects) > 1:
        raise WebsetsSyncError(
            "the live objects belong to several projects: " + ", ".join(projects),
            detail="Pass --project NAME to export one of them.",
        )
    return projects[0] if projects else None


def check_chosen(live: LiveState, project: str) -> None:
    """Websets asked for by name must be this project's or nobody's: anything else is an error."""
    for webset in live.websets:
        owner = webset.webset.project
        if owner is not None and owner != project:
            raise WebsetsSyncError(
                f"webset {webset.external_id or webset.id} belongs to project {owner!r}, "
                f"not {project!r}",
                detail=f"Export it with --project {owner}.",
            )


def check_something_to_export(live: LiveState, project: str) -> None:
    """A project with nothing on an account that holds other projects is almost surely a typo:
    an empty manifest (exit 0) would hide it, so name the projects that do exist. An empty
    account still exports an empty manifest, the starting point of a new project."""
    objects = [w.webset for w in live.websets] + list(live.webhooks)
    if not objects or any(ours_or_nobodys(obj, project) for obj in objects):
        return
    projects = sorted({str(obj.project) for obj in objects})
    raise WebsetsSyncError(
        f"no webset or webhook belongs to project {project!r}; this account has projects: "
        + ", ".join(projects),
        detail="To start a new project, write its manifest: export only takes existing objects.",
    )


def remembered_names(state: State, project: str) -> dict[str, str]:
    """Live id → address name for every object the state file remembers (of this project)."""
    if state.project not in (None, project):
        return {}
    names: dict[str, str] = {}
    for address, entry in state.resources.items():
        try:
            names[entry.id] = Address.parse(address).name
        except ValueError:
            continue  # not an address this version knows: nothing to name
    return names


def ours_or_nobodys(obj: LiveObject, project: str) -> bool:
    return obj.project is None or obj.project == project


def other_projects_note(live: LiveState, project: str) -> list[str]:
    """One line per other project (an account may hold thousands of their objects)."""
    counts: dict[str, Counter[str]] = {}
    for obj in [w.webset for w in live.websets] + list(live.webhooks):
        if not ours_or_nobodys(obj, project):
            counts.setdefault(str(obj.project), Counter())[obj.kind.value] += 1
    return [
        f"skipped {_count_words(kinds)} of project {owner!r}"
        for owner, kinds in sorted(counts.items())
    ]


def _count_words(kinds: Counter[str]) -> str:
    words = [
        f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in sorted(kinds.items(), reverse=True)
    ]
    return " and ".join(words)


def adoptable_by_content(obj: LiveObject) -> bool:
    keys = RULES[obj.kind].adopt_keys
    return bool(keys) and all(_at_path(obj.data, key) not in (None, "") for key in keys)


def _at_path(data: Mapping[str, Any], path: str) -> Any:
    value: Any = data
    for step in path.split("."):
        value = value.get(step) if isinstance(value, Mapping) else None
    return value
