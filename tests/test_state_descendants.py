"""Forgetting a webset takes its children along without a scan of every address (issue 16):
the prefix index agrees with a scan, and the store and the journal replay use it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from websets_sync.state.descendants import Descendants
from websets_sync.state.store import ResourceState, StateStore, load_state

_names = st.sampled_from(["a", "ab", "b", "a.b"])
_addresses = st.one_of(
    st.builds(lambda w: f"webset/{w}", _names),
    st.builds(
        lambda w, k, n: f"webset/{w}/{k}/{n}",
        _names,
        st.sampled_from(["search", "monitor"]),
        _names,
    ),
    st.builds(lambda n: f"webhook/{n}", _names),
)


@given(st.lists(st.tuples(st.booleans(), _addresses), max_size=40), _addresses)
def test_below_is_what_a_scan_finds(operations: list[tuple[bool, str]], probe: str) -> None:
    index, present = Descendants(), set()
    for add, address in operations:
        if add:
            index.add(address)
            present.add(address)
        else:
            index.discard(address)
            present.discard(address)
    for address in {probe, probe.rsplit("/", 2)[0], "webset", "webhook"}:
        assert index.below(address) == sorted(k for k in present if k.startswith(address + "/"))


def test_a_replayed_journal_forgets_children_as_the_store_did(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    store = StateStore(path, "p")
    store.open()
    for address in ("webset/a", "webset/a/search/s", "webset/ab", "webset/ab/monitor/m"):
        store.record(address, ResourceState(id=address))
    store.forget("webset/a", children=True)
    store.record("webset/a/search/t", ResourceState(id="later"))  # after the forget: kept
    store.forget("webset/ab", children=True)
    in_memory = dict(store.state.resources)
    store.lock.release()  # killed: no compaction, the journal holds it all
    assert load_state(path).resources == in_memory
    assert set(in_memory) == {"webset/a/search/t"}


def _calls(action: Callable[[], Any]) -> int:
    count = 0

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        count += event in ("call", "c_call")  # a scan calls str.startswith per address

    sys.setprofile(hook)
    try:
        action()
    finally:
        sys.setprofile(None)
    return count


def test_forgetting_every_webset_is_linear(tmp_path: Path) -> None:
    """Python calls (not time) for n and 4n websets: linear grows 4x, a scan per webset 16x."""

    def forget_all(websets: int) -> int:
        folder = tmp_path / str(websets)
        with StateStore(folder / "state.json", "p") as store:
            for w in range(websets):
                for kind in ("search", "enrichment", "monitor"):
                    store.record(f"webset/w{w}/{kind}/x", ResourceState(id=f"{w}{kind}"))
                store.record(f"webset/w{w}", ResourceState(id=str(w)))
            store.COMPACT_AFTER = 10**9  # the compactions are linear too, but not measured here
            return _calls(
                lambda: [store.forget(f"webset/w{w}", children=True) for w in range(websets)]
            )

    assert forget_all(400) / forget_all(100) < 5
