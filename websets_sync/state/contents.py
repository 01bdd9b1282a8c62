"""The state file's contents (DESIGN §7): its typed form, validated reading and its JSON form.

Everything read is checked: a state file names exactly one project, every key is a canonical
address and every entry has a non-empty id, so an edited or foreign file is a clear StateError.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websets_sync.errors import StateError
from websets_sync.model.address import EXTERNAL_ID_PATTERN, Address
from websets_sync.state import journal
from websets_sync.state.files import (
    BACKUP_SUFFIX,
    ensure_private_folder,
    real_path,
    reason,
    write_private_atomically,
)

STATE_VERSION = 1


@dataclass(frozen=True)
class ResourceState:
    """What the state file remembers of one address.

    ``secret`` is a webhook's signing secret; ``secret_unknown`` marks a webhook whose create
    response was lost, so its secret can never be known (plan suggests ``--replace``).
    """

    id: str
    secret: str | None = field(default=None, repr=False)
    secret_unknown: bool = False
    prevent_destroy: bool = False


@dataclass(frozen=True)
class State:
    version: int = STATE_VERSION
    serial: int = 0
    lineage: str = ""
    project: str | None = None
    resources: Mapping[str, ResourceState] = field(default_factory=dict)  # by str(Address)
    #: The API the state was written against, without credentials (DESIGN §7: bound to its
    #: target). None in files written before it was recorded.
    api_url: str | None = None

    def get(self, address: str) -> ResourceState | None:
        return self.resources.get(address)


# --- reading ------------------------------------------------------------------------------------


def load_state(path: Path, *, project: str | None = None) -> State:
    """Read the state file. A missing file is an empty state.

    Raises StateError for a file that cannot be read, is not UTF-8 JSON, has an unknown version
    or an invalid shape, or (when ``project`` is given) belongs to another project.
    """
    for _ in range(10):
        before = journal.file_identity(path)
        raw = _read_json(path)
        if raw is None:
            return State(project=project)
        raw = journal.with_journal(path, raw)
        if journal.file_identity(path) == before:
            break
        # Compacted between the two reads (an apply runs; plan reads without the lock): again.
    state = _state_from_json(raw, path)
    if project is not None and state.project != project:
        raise StateError(
            f"state file {path} belongs to project {state.project!r}, not {project!r}",
            detail="Use --state to point at this project's state file.",
        )
    return state


def _read_json(path: Path) -> Any:
    """The state file's JSON, or None when there is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise StateError(
            f"state file {path} is not UTF-8 text", detail=_BACKUP_HINT.format(path=path)
        ) from None
    except OSError as exc:
        raise StateError(f"cannot read state file {path}: {reason(exc)}") from None
    try:
        raw = json.loads(text)
    except RecursionError:
        raise StateError(
            f"state file {path} is nested too deeply to be a state file",
            detail=_BACKUP_HINT.format(path=path),
        ) from None
    except ValueError as exc:
        raise StateError(
            f"state file {path} is not valid JSON ({exc})", detail=_BACKUP_HINT.format(path=path)
        ) from None
    return raw


_BACKUP_HINT = "The previous version may be in {path}" + BACKUP_SUFFIX + "."


def _state_from_json(raw: Any, path: Path) -> State:
    if not isinstance(raw, dict):
        raise StateError(f"state file {path} is not a JSON object")
    version = raw.get("version")
    newer = isinstance(version, int) and not isinstance(version, bool) and version > STATE_VERSION
    if newer:
        raise StateError(
            f"state file {path} has version {version}; this websets-sync reads version "
            f"{STATE_VERSION}",
            detail="It was written by a newer websets-sync; upgrade to use it.",
        )
    if version != STATE_VERSION:
        shown = "no version" if version is None else f"version {version!r}"
        raise StateError(
            f"state file {path} is not a websets-sync state file ({shown})",
            detail="Point --state at the state file apply wrote, or move this file away.",
        )
    serial, lineage, project = raw.get("serial"), raw.get("lineage"), raw.get("project")
    resources = raw.get("resources", {})
    if not isinstance(serial, int) or isinstance(serial, bool) or serial < 0:
        raise StateError(f"state file {path} has an invalid serial")
    if not isinstance(lineage, str):
        raise StateError(f"state file {path} has an invalid lineage")
    if not isinstance(resources, dict):
        raise StateError(f"state file {path}: resources must be an object")
    api_url = raw.get("api_url")
    if api_url is not None and not isinstance(api_url, str):
        raise StateError(f"state file {path} has an invalid api_url")
    if not isinstance(project, str) or not EXTERNAL_ID_PATTERN.match(project):
        raise StateError(
            f"state file {path} has an invalid project ({project!r})",
            detail="A state file written by websets-sync names its project; this one was edited "
            "or belongs to something else.",
        )
    return State(
        version=STATE_VERSION,
        serial=serial,
        lineage=lineage,
        project=project,
        api_url=api_url,
        resources={
            _address_key(address, path): _resource_from_json(address, entry, path)
            for address, entry in resources.items()
        },
    )


def _address_key(text: str, path: Path) -> str:
    """Only canonical addresses are accepted: a state entry names exactly one managed object."""
    try:
        address = Address.parse(text)
    except ValueError:
        address = None
    if address is None or str(address) != text:
        raise StateError(
            f"state file {path}: {text!r} is not an address",
            detail="Addresses look like webset/<id>, webset/<id>/search/<id>, webhook/<id>.",
        )
    return text


def _resource_from_json(address: str, raw: Any, path: Path) -> ResourceState:
    problem = f"state file {path}: resource {address!r} is invalid"
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
        raise StateError(problem, detail="Each resource needs a non-empty string id.")
    secret = raw.get("secret")
    if secret is not None and not isinstance(secret, str):
        raise StateError(problem, detail="secret must be a string.")
    for flag in ("secret_unknown", "prevent_destroy"):
        if not isinstance(raw.get(flag, False), bool):
            raise StateError(problem, detail=f"{flag} must be true or false.")
    return ResourceState(
        id=raw["id"],
        secret=secret,
        secret_unknown=raw.get("secret_unknown") is True,
        prevent_destroy=raw.get("prevent_destroy") is True,
    )


# --- writing ------------------------------------------------------------------------------------


def state_to_json(state: State) -> dict[str, Any]:
    """The file's JSON form. Optional flags are written only when set, to keep diffs small."""
    resources: dict[str, Any] = {}
    for address in sorted(state.resources):
        resources[address] = resource_json(state.resources[address])
    raw: dict[str, Any] = {
        "version": state.version,
        "serial": state.serial,
        "lineage": state.lineage,
        "project": state.project,
    }
    if state.api_url is not None:
        raw["api_url"] = state.api_url
    raw["resources"] = resources
    return raw


def resource_json(entry: ResourceState) -> dict[str, Any]:
    item: dict[str, Any] = {"id": entry.id}
    if entry.secret is not None:
        item["secret"] = entry.secret
    if entry.secret_unknown:
        item["secret_unknown"] = True
    if entry.prevent_destroy:
        item["prevent_destroy"] = True
    return item


def state_text(state: State) -> str:
    return json.dumps(state_to_json(state), indent=2, sort_keys=False) + "\n"


def write_state_atomically(path: Path, state: State) -> None:
    """Replace ``path`` (through a symlink, to its target) with ``state``, atomically, keeping
    the previous version as ``<path>.backup``. Raises StateError when it cannot."""
    path = real_path(path)
    ensure_private_folder(path.parent, family=path.name)
    write_private_atomically(path, state_text(state))
