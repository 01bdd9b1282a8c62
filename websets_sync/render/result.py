"""Views of an apply: one line per change as it finishes, the final summary, and --wait progress.

Nothing here ever sees a secret: results carry ids and messages only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from websets_sync.apply.result import ApplyResult, ChangeResult, Outcome
from websets_sync.apply.wait import WebsetProgress
from websets_sync.plan.types import Action
from websets_sync.render.console import Console
from websets_sync.render.text import secrets_unknown_lines

_DONE: dict[Action, str] = {
    Action.CREATE: "created",
    Action.UPDATE: "updated",
    Action.DELETE: "deleted",
    Action.RUN: "search started",
    Action.ADOPT: "adopted",
    Action.REPLACE: "replaced",
    Action.MOVE: "moved",
    Action.NOOP: "unchanged",
}
_OUTCOME_STYLES: dict[Outcome, tuple[str, ...]] = {
    Outcome.APPLIED: ("green",),
    Outcome.FAILED: ("red", "bold"),
    Outcome.NOT_ATTEMPTED: ("yellow",),
}
BAR_WIDTH = 24


class ResultPrinter:
    """Prints each change's result as it arrives (results come from several threads)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._lock = threading.Lock()

    def __call__(self, result: ChangeResult) -> None:
        if result.outcome is Outcome.NOT_ATTEMPTED:
            return  # listed once in the summary, not one line per skipped child
        with self._lock:
            self.console.print(result_line(result, self.console))


def result_line(result: ChangeResult, console: Console) -> str:
    if result.outcome is Outcome.APPLIED:
        what = _DONE[result.action]
        text = f"{result.action.symbol} {result.address}: {what}"
        if result.id:
            text += f" ({result.id})"
    elif result.outcome is Outcome.FAILED:
        text = f"! {result.address}: {result.action.value} failed"
    else:
        text = f"  {result.address}: not attempted"
    line = console.style(text, *_OUTCOME_STYLES[result.outcome])
    if result.message:
        line += console.style(f" — {result.message}", "dim")
    return line


def render_apply_summary(result: ApplyResult, console: Console) -> str:
    """The closing summary: counts, then every failure and every address not attempted."""
    lines: list[str] = [""]
    failed = [r for r in result.results if r.outcome is Outcome.FAILED]
    skipped = [r for r in result.results if r.outcome is Outcome.NOT_ATTEMPTED]
    if failed:
        lines.append(console.style("Failed:", "red", "bold"))
        lines.extend(f"  {r.address} ({r.action.value}): {r.message}" for r in failed)
    if skipped:
        lines.append(console.style("Not attempted:", "yellow", "bold"))
        lines.extend(f"  {r.address} ({r.action.value}): {r.message}" for r in skipped)
    counts = (
        f"{result.count(Outcome.APPLIED)} applied, {len(failed)} failed, "
        f"{len(skipped)} not attempted"
    )
    if result.interrupted:
        head = console.style(f"Apply interrupted: {counts}.", "yellow", "bold")
        lines += [head, "Everything applied is saved in the state file; run apply again to finish."]
    elif failed or skipped:
        head = console.style(f"Apply finished with failures: {counts}.", "red", "bold")
        lines += [head, "Everything applied is saved in the state file; run apply again to finish."]
    else:
        lines.append(console.style(f"Apply complete: {counts}.", "green", "bold"))
    lines += secrets_unknown_lines(result.secrets_lost, console)
    if result.rescue_file is not None:
        lines.append(
            console.style(f"The state could not be saved; it is in {result.rescue_file}", "red")
        )
    return "\n".join(lines)


def progress_summary(progress: Sequence[WebsetProgress]) -> str:
    idle = sum(1 for p in progress if p.idle)
    completion = round(sum(p.completion for p in progress) / len(progress)) if progress else 100
    found = sum(p.found for p in progress)
    return (
        f"{idle}/{len(progress)} websets idle, searches {completion}% complete, {found} items found"
    )


def busy_names(progress: Sequence[WebsetProgress], most: int = 3) -> str:
    """The websets still working, by address (the first few, then how many more)."""
    busy = [str(p.address) for p in progress if not p.idle]
    shown = ", ".join(busy[:most])
    return shown + (f" and {len(busy) - most} more" if len(busy) > most else "")


def elapsed_text(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


class WaitProgressView:
    """``--wait`` progress: a redrawn bar on a terminal, a plain line per change otherwise."""

    def __init__(
        self, console: Console, *, terminal: bool, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.console = console
        self.terminal = terminal
        self.clock = clock
        self.started = clock()
        self._last = ""
        self._drawn = False
        self._progress: Sequence[WebsetProgress] = ()

    def __call__(self, progress: Sequence[WebsetProgress]) -> None:
        self._progress = progress
        summary = progress_summary(progress)
        busy = busy_names(progress)
        if busy:
            summary += f"; busy: {busy}"
        if self.terminal:
            completion = sum(p.completion for p in progress) / len(progress) if progress else 100.0
            filled = round(BAR_WIDTH * completion / 100)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            # Redraw in place: the console has no cursor API, so write the carriage return here.
            self.console.out.write(f"\r[{bar}] {summary}\x1b[K")
            self.console.out.flush()
            self._drawn = True
        elif summary != self._last:
            self.console.print(f"waiting: {summary}")
        self._last = summary

    def finish(self, *, stopped: bool = False, found: str | None = None) -> None:
        """End the progress display; ``found`` (what the searches found) comes just before the
        closing line."""
        if self._drawn:
            self.console.out.write("\n")
            self.console.out.flush()
        elapsed = elapsed_text(self.clock() - self.started)
        if found:
            self.console.print(found)
        if stopped:
            busy = busy_names(self._progress)
            still = f" Still busy: {busy}." if busy else ""
            self.console.print(
                f"Stopped waiting after {elapsed}.{still} "
                "Searches and enrichments keep running on Exa's side."
            )
        else:
            self.console.print(self.console.style(f"All websets are idle ({elapsed}).", "green"))
