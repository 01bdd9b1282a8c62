"""Regenerate the README's reference sections from their sources of truth.

- the manifest reference, from schemas/manifest.schema.json;
- the CLI reference, from the click commands in websets_sync/cli/.

Usage: `python scripts/readme.py` rewrites README.md in place; `--check` exits 1 when it is out of
date (tests/test_ecosystem_readme.py runs the same check).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import click

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SCHEMA = ROOT / "schemas" / "manifest.schema.json"
SOURCES = {
    "manifest-reference": "schemas/manifest.schema.json",
    "cli-reference": "the click commands in websets_sync/cli/",
}

Schema = Mapping[str, Any]

# The manifest's objects: (title, JSON pointer name in $defs or "" for the root, where it lives).
SECTIONS = (
    ("Manifest file", "", "top level of every file"),
    ("Webset", "webset", "`websets[]`"),
    ("Search", "search", "`websets[].searches[]`"),
    ("Enrichment", "enrichment", "`websets[].enrichments[]`"),
    ("Monitor", "monitor", "`websets[].monitors[]`"),
    ("Webhook", "webhook", "`webhooks[]`"),
    ("Move", "move", "`moved[]`"),
    ("Import", "import", "`imports[]`"),
    ("Reference", "sourceRef", "webset `import[]` and `exclude[]`, search `exclude[]`"),
    ("Scope reference", "scopeRef", "search `scope[]`"),
)


# --- manifest reference --------------------------------------------------------------------------


def manifest_reference(schema: Schema) -> str:
    parts: list[str] = []
    for title, name, where in SECTIONS:
        node = schema if not name else schema["$defs"][name]
        parts.append(f"#### {title}\n\nWhere: {where}. {_cell(node.get('description', ''))}\n")
        parts.append("| Field | Type | Required | Description |\n|---|---|---|---|")
        parts.extend(_rows(node, prefix=""))
        parts.append("")
    return "\n".join(parts).rstrip() + "\n"


def _rows(node: Schema, prefix: str) -> Iterator[str]:
    required = set(node.get("required", ()))
    for name, prop in node.get("properties", {}).items():
        path = f"{prefix}{name}"
        mark = "yes" if name in required else ""
        yield f"| `{path}` | {_type(prop)} | {mark} | {_cell(_describe(prop))} |"
        if prop.get("type") == "object" and "properties" in prop:
            yield from _rows(prop, f"{path}.")
        items = prop.get("items", {})
        if prop.get("type") == "array" and "properties" in items:
            yield from _rows(items, f"{path}[].")


def _type(prop: Schema) -> str:
    if "$ref" in prop:
        return _link(prop["$ref"])
    kind = prop.get("type", "any")
    if kind == "array":
        items = prop.get("items", {})
        inner = _link(items["$ref"]) if "$ref" in items else items.get("type", "any")
        return f"list of {inner}"
    if kind == "object" and isinstance(prop.get("additionalProperties"), Mapping):
        return f"map of {prop['additionalProperties'].get('type', 'any')}"
    if "const" in prop:
        return f"`{json.dumps(prop['const'])}`"
    return str(kind)


def _link(ref: str) -> str:
    name = ref.rsplit("/", 1)[-1]
    title = next(title for title, key, _ in SECTIONS if key == name)
    return f"[{title}](#{title.lower().replace(' ', '-')})"


def _describe(prop: Schema) -> str:
    text = str(prop.get("description", ""))
    extra = []
    if "enum" in prop:
        extra.append("One of: " + ", ".join(f"`{value}`" for value in prop["enum"]) + ".")
    if "default" in prop:
        extra.append(f"Default: `{json.dumps(prop['default'])}`.")
    return " ".join([text, *extra]).strip()


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


# --- CLI reference -------------------------------------------------------------------------------


def cli_reference(root: click.Group) -> str:
    parts = [
        "#### Global options\n",
        "Given before or after the command: `websets-sync --no-color plan …` and "
        "`websets-sync plan … --no-color` are the same. After the command, a bare `--emulator` "
        "means the default file; name another one as `--emulator=FILE`.\n",
    ]
    root_ctx = click.Context(root, info_name="websets-sync", **root.context_settings)
    parts.append(_options_table(root, root_ctx))
    for path, command in _commands(root, ["websets-sync"]):
        ctx = click.Context(command, info_name=" ".join(path), parent=root_ctx)
        usage = " ".join(command.collect_usage_pieces(ctx))
        parts.append(f"#### `{' '.join(path[1:])}`\n")
        parts.append(f"```\n{' '.join(path)} {usage}\n```\n")
        parts.append(_cell_paragraphs(command.help or "") + "\n")
        table = _options_table(command, ctx)
        if table:
            parts.append(table)
    return "\n".join(parts).rstrip() + "\n"


def _commands(group: click.Group, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
    ctx = click.Context(group)
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            yield from _commands(command, [*path, name])
        else:
            yield [*path, name], command


#: The global options repeated on every command: listed once, under "Global options".
GLOBAL_NAMES = {"api_url", "state", "emulator", "no_color", "debug"}


def _options_table(command: click.Command, ctx: click.Context) -> str:
    rows = []
    repeated = GLOBAL_NAMES if ctx.parent is not None else set()
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None or not isinstance(param, click.Option) or param.name in repeated:
            continue
        flags, help_text = record
        rows.append(f"| `{flags}` | {_cell(help_text)} |")
    if not rows:
        return ""
    return "| Option | Description |\n|---|---|\n" + "\n".join(rows) + "\n"


def _cell_paragraphs(text: str) -> str:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n\n".join(p.replace("\b", "").strip() for p in paragraphs)


# --- README splicing -----------------------------------------------------------------------------


def begin(name: str) -> str:
    return f"<!-- BEGIN {name}: generated from {SOURCES[name]} by scripts/readme.py -->"


def end(name: str) -> str:
    return f"<!-- END {name} -->"


def generated(name: str) -> str:
    if name == "manifest-reference":
        return manifest_reference(json.loads(SCHEMA.read_text(encoding="utf-8")))
    from websets_sync.cli.root import cli

    return cli_reference(cli)


def updated(readme: str) -> str:
    """``readme`` with every generated section replaced by its current text."""
    for name in SOURCES:
        pattern = re.compile(re.escape(begin(name)) + r".*?" + re.escape(end(name)), re.DOTALL)
        if not pattern.search(readme):
            raise SystemExit(f"README.md has no {name} markers")
        block = f"{begin(name)}\n\n{generated(name)}\n{end(name)}"
        match = pattern.search(readme)
        assert match is not None
        readme = readme[: match.start()] + block + readme[match.end() :]
    return readme


def main(argv: list[str]) -> int:
    current = README.read_text(encoding="utf-8")
    fresh = updated(current)
    if "--check" in argv:
        if fresh != current:
            print("README.md is out of date: run `python scripts/readme.py`", file=sys.stderr)
            return 1
        return 0
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
