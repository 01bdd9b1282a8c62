"""`--wait`: poll touched websets until idle, one GET per running webset per round."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from apply_support import API_KEY, World, manifest, write

from websets_sync.apply.wait import WebsetProgress, wait_until_idle
from websets_sync.emulator import Emulator, Timing
from websets_sync.model import Address
from websets_sync.render.console import Console
from websets_sync.render.result import WaitProgressView


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _world(tmp_path: Path, clock: FakeClock) -> World:
    emulator = Emulator(api_key=API_KEY, clock=clock, timing=Timing(search_seconds=10.0))
    return World(tmp_path, emulator=emulator)


def test_waits_until_every_touched_webset_is_idle(tmp_path: Path) -> None:
    clock = FakeClock()
    world = _world(tmp_path, clock)
    path = write(tmp_path / "m.yaml", manifest(websets=2, searches=1, webhooks=0))
    _, result = world.apply([path])
    assert len(result.touched) == 2
    world.emulator.clear_log()
    rounds: list[tuple[WebsetProgress, ...]] = []

    final = wait_until_idle(
        world.client,
        result.touched,
        on_progress=lambda p: rounds.append(tuple(p)),
        interval=4.0,
        sleep=clock.sleep,
    )

    assert all(p.idle for p in final)
    assert [p.found for p in final] == [5, 5]
    completions = [round_[0].completion for round_ in rounds]
    assert completions == sorted(completions) and completions[-1] == 100
    assert 0 < completions[1] < 100  # progress was visible on the way
    # One GET per webset per round until idle, nothing else.
    assert world.emulator.count() == 2 * len(rounds)
    assert world.emulator.count("GET", "/websets/") == world.emulator.count()


def test_ctrl_c_during_the_wait_just_stops_it(tmp_path: Path) -> None:
    clock = FakeClock()
    world = _world(tmp_path, clock)
    path = write(tmp_path / "m.yaml", manifest(websets=1, searches=1, webhooks=0))
    _, result = world.apply([path])

    def interrupt(seconds: float) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        wait_until_idle(world.client, result.touched, on_progress=lambda p: None, sleep=interrupt)
    assert world.mutations().count("DELETE") == 0


def test_progress_view_plain_lines_only_when_something_changed(tmp_path: Path) -> None:
    out = io.StringIO()
    now = [100.0]
    view = WaitProgressView(Console(out=out), terminal=False, clock=lambda: now[0])
    running = WebsetProgress(Address.for_webset("a"), "w", "running", 40, 2)
    view([running])
    view([running])
    now[0] += 75
    view([WebsetProgress(running.address, "w", "idle", 100, 5)])
    view.finish()
    assert out.getvalue().splitlines() == [
        "waiting: 0/1 websets idle, searches 40% complete, 2 items found; busy: webset/a",
        "waiting: 1/1 websets idle, searches 100% complete, 5 items found",
        "All websets are idle (1m 15s).",
    ]


def test_progress_view_draws_a_bar_on_a_terminal() -> None:
    out = io.StringIO()
    now = [0.0]
    view = WaitProgressView(Console(out=out), terminal=True, clock=lambda: now[0])
    view(
        [
            WebsetProgress(Address.for_webset(name), "w", "running", 50, 3)
            for name in ("a", "b", "c", "d", "e")
        ]
    )
    now[0] = 42
    view.finish(stopped=True)
    text = out.getvalue()
    assert text.startswith("\r[" + "#" * 12 + "-" * 12 + "] 0/5 websets idle, searches 50%")
    assert "Stopped waiting after 42s. Still busy: webset/a, webset/b, webset/c and 2 more." in text
