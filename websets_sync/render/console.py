"""Terminal output: colour decisions and the one place text reaches stdout/stderr."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TextIO

_CODES = {
    "green": "32",
    "yellow": "33",
    "red": "31",
    "cyan": "36",
    "bold": "1",
    "dim": "2",
}


@dataclass
class Console:
    """Writes to stdout/stderr; ``color`` decides whether ANSI styles are emitted."""

    color: bool = False
    # Looked up when the Console is made, not at import, so test runners can swap the streams.
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    def style(self, text: str, *styles: str) -> str:
        if not self.color or not styles:
            return text
        codes = ";".join(_CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def print_err(self, text: str = "") -> None:
        self.err.write(text + "\n")
        self.err.flush()

    def error(self, message: str, detail: str | None = None) -> None:
        self.print_err(self.style("Error:", "red", "bold") + " " + message)
        if detail:
            self.print_err(detail)

    def warning(self, message: str) -> None:
        self.print_err(self.style("Warning:", "yellow", "bold") + " " + message)
