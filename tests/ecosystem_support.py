"""Helpers for the ecosystem tests: find `websets-sync …` command lines in shell text and check
them against the real click commands (and their --help text)."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
from click.testing import CliRunner

from websets_sync.cli.root import cli

ROOT = Path(__file__).resolve().parent.parent
PROGRAM = "websets-sync"
# Tokens after which a new simple command starts in a shell line.
_COMMAND_STARTERS = {";", "&&", "||", "|", "(", ")", "then", "do", "else", "if", "!", "{"}


def websets_sync_commands(script: str) -> list[list[str]]:
    """The argument lists of every `websets-sync` command a shell script runs (no redirections).

    Only command position counts: `pip install websets-sync` is not a websets-sync command.
    """
    commands: list[list[str]] = []
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        tokens = list(lexer)
        at_start = True
        for index, token in enumerate(tokens):
            if at_start and "=" in token and not token.startswith("-"):
                continue  # VAR=value before a command
            if at_start and Path(token).name == PROGRAM:
                commands.append(_arguments(tokens[index + 1 :]))
            at_start = token in _COMMAND_STARTERS or set(token) <= set(";&|()")
    return commands


def _arguments(tokens: list[str]) -> list[str]:
    args: list[str] = []
    for token in tokens:
        if token in _COMMAND_STARTERS or set(token) <= set("<>&|;()"):
            break
        args.append(token)
    # `2> file`: the fd number belongs to the redirection, not to the command.
    if args and args[-1].isdigit() and len(tokens) > len(args) and tokens[len(args)] == ">":
        args.pop()
    return args


def resolve(argv: list[str]) -> tuple[list[str], click.Command, list[str]]:
    """(command path, click command, its own arguments) for `websets-sync ARGV`.

    Global options before the subcommand are checked against the root group.
    """
    command: click.Command = cli
    path: list[str] = []
    rest = list(argv)
    while isinstance(command, click.Group):
        rest = _check_options(command, rest, stop_at_argument=True)
        assert rest, f"`{PROGRAM} {' '.join(argv)}` names no subcommand"
        name, rest = rest[0], rest[1:]
        sub = command.get_command(click.Context(command), name)
        assert sub is not None, f"`{PROGRAM} {' '.join(path + [name])}` is not a command"
        command, path = sub, [*path, name]
    return path, command, rest


def assert_command_exists(argv: list[str]) -> None:
    """The command exists, every flag it uses is one of its options and shows in its --help."""
    path, command, rest = resolve(argv)
    _check_options(command, rest, stop_at_argument=False)
    help_text = CliRunner().invoke(cli, [*path, "--help"]).output
    for token in rest:
        if token.startswith("-"):
            flag = token.split("=", 1)[0]
            assert flag in help_text, f"{flag} is missing from `{PROGRAM} {' '.join(path)} --help`"


def _check_options(command: click.Command, args: list[str], *, stop_at_argument: bool) -> list[str]:
    """Consume and check the options in ``args``; return what is left from the first argument on
    (``stop_at_argument``) or an empty list."""
    options = {name: p for p in command.params for name in _names(p)}
    index = 0
    while index < len(args):
        token = args[index]
        if not token.startswith("-"):
            if stop_at_argument:
                return args[index:]
            index += 1
            continue
        flag = token.split("=", 1)[0]
        option = options.get(flag)
        where = f"{PROGRAM} {command.name}"
        assert option is not None, f"`{where}` has no option {flag}"
        takes_value = isinstance(option, click.Option) and not option.is_flag
        if takes_value and "=" not in token:
            # `--emulator [FILE]`: the value is optional and taken only when one follows (a
            # command name right after it is the command, as SyncGroup.parse_args decides).
            optional = getattr(option, "_flag_needs_value", False)
            following = args[index + 1] if index + 1 < len(args) else "-"
            commands = (
                command.list_commands(click.Context(command))
                if isinstance(command, click.Group)
                else []
            )
            has_value = not following.startswith("-") and following not in commands
            if has_value or not optional:
                index += 1
        index += 1
    return []


def _names(param: click.Parameter) -> list[str]:
    return [*param.opts, *param.secondary_opts] if isinstance(param, click.Option) else []
