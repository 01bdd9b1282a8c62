"""``${VAR}`` / ``${VAR:-default}`` substitution in manifest strings; ``$${`` is a literal ``${``.

The environment is passed in (cli.py reads ``os.environ``), so the core stays testable. As in the
shell, ``:-`` uses the default when the variable is unset *or* empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"\$\$\{"  # escaped: a literal "${"
    r"|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}"
    r"|\$\{"  # anything else after "${" is malformed
)


#: Variables holding the tool's own credentials; with every WEBSETS_SYNC_* setting, refused.
_TOOL_SECRETS = frozenset({"EXA_API_KEY"})
_TOOL_PREFIX = "WEBSETS_SYNC_"


@dataclass(frozen=True)
class Interpolation:
    """The variables available to manifests."""

    env: Mapping[str, str]


@dataclass
class Result:
    text: str
    substituted: bool = False
    errors: list[str] = field(default_factory=list)
    #: The text of the reference each error is about (parallel to ``errors``), to locate it.
    error_tokens: list[str] = field(default_factory=list)
    #: Variables that were set but empty (what CI gives for a secret never configured).
    empty: list[str] = field(default_factory=list)


def interpolate(value: str, interpolation: Interpolation) -> Result:
    """Replace every variable reference in ``value``; collect one error per bad reference."""
    result = Result(value)
    pieces: list[str] = []
    position = 0
    for match in _TOKEN.finditer(value):
        pieces.append(value[position : match.start()])
        position = match.end()
        pieces.append(_replacement(match, interpolation, result))
    pieces.append(value[position:])
    result.text = "".join(pieces)
    return result


def _replacement(match: re.Match[str], interpolation: Interpolation, result: Result) -> str:
    token = match.group(0)
    if token == "$${":
        return "${"
    name = match.group("name")
    if name is None:
        snippet = match.string[match.start() : match.start() + 20]
        result.error_tokens.append(token)
        result.errors.append(
            f"malformed variable reference {snippet!r}: use ${{VAR}}, ${{VAR:-default}}, "
            "or $${ for a literal '${'"
        )
        return token
    if name in _TOOL_SECRETS or name.startswith(_TOOL_PREFIX):
        # The tool's own credentials and settings would travel into plans, PR comments, the
        # live account and exports: never manifest content.
        result.error_tokens.append(token)
        result.errors.append(
            f"${{{name}}} is websets-sync's own setting and may not be used in a manifest "
            "(it would be sent to the API and shown in plans); use a variable of your own"
        )
        return ""
    result.substituted = True
    current = interpolation.env.get(name)
    default = match.group("default")
    if default is not None:
        return current if current else default
    if current is None:
        result.error_tokens.append(token)
        result.errors.append(
            f"environment variable {name} is not set (set it, or write ${{{name}:-default}})"
        )
        return ""
    if not current:
        result.empty.append(name)
    return current
