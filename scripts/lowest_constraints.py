"""Print a pip constraints file pinning every runtime dependency to its lowest allowed version.

`make test-lowest` installs with it, so the floors in pyproject.toml are tested, not hoped for.
Only `>=` floors are supported: a dependency without one is an error (its floor would be a guess).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def runtime_dependencies(text: str) -> list[str]:
    block = re.search(r"^dependencies = \[(.*?)^\]", text, re.MULTILINE | re.DOTALL)
    if block is None:
        raise SystemExit("pyproject.toml has no [project] dependencies list")
    return re.findall(r'"([^"]+)"', block.group(1))


def lowest_pin(requirement: str) -> str:
    match = re.fullmatch(r"([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([0-9][0-9A-Za-z.]*)", requirement)
    if match is None:
        raise SystemExit(f"{requirement!r}: only 'name>=version' floors can be pinned")
    name = re.sub(r"\[.*\]", "", match.group(1))
    return f"{name}=={match.group(2)}"


def main() -> None:
    pins = [lowest_pin(r) for r in runtime_dependencies(PYPROJECT.read_text(encoding="utf-8"))]
    sys.stdout.write("\n".join(pins) + "\n")


if __name__ == "__main__":
    main()
