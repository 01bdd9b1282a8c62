"""The replay's comparison finds the differences it promises to find (a test of the test)."""

from __future__ import annotations

from replay_support import IdMap, ShapeComparison


def _compare(
    recorded: object, emulated: object, *, strict: bool, ids: IdMap | None = None
) -> list[str]:
    return ShapeComparison(ids or IdMap(), strict=strict).compare(recorded, emulated)


def test_keys_missing_or_extra_at_any_level_are_differences() -> None:
    recorded = {"id": "webset_1", "searches": [{"progress": {"found": 0, "timeLeft": None}}]}
    emulated = {"id": "webset_a", "searches": [{"progress": {"found": 0}, "extra": 1}]}
    assert _compare(recorded, emulated, strict=False) == [
        "searches[0]: extra keys ['extra']",
        "searches[0].progress: missing keys ['timeLeft']",
    ]


def test_null_right_after_create_is_compared_strictly_and_late_fields_loosely_in_reads() -> None:
    recorded = {"title": None, "count": 1}
    emulated = {"title": "Companies: Fintech", "count": 1}
    assert _compare(recorded, emulated, strict=True) == ["title: recorded null, got string"]
    assert _compare(recorded, emulated, strict=False) == []
    # A field that is not filled in late is never loose.
    assert _compare({"externalId": None}, {"externalId": "x"}, strict=False) == [
        "externalId: recorded null, got string"
    ]


def test_types_and_id_prefixes_are_compared() -> None:
    assert _compare({"count": 1}, {"count": "1"}, strict=False) == [
        "count: recorded number, got string"
    ]
    assert _compare({"id": "wsearch_01k"}, {"id": "webset_search_01"}, strict=True) == [
        "id: id 'webset_search_01' lacks the recorded prefix wsearch_"
    ]


def test_listed_objects_made_by_the_recording_must_come_in_the_recorded_order() -> None:
    ids = IdMap({"webset_new": "webset_b", "webset_old": "webset_a"})
    recorded = {"data": [{"id": "webset_new"}, {"id": "webset_old"}, {"id": "webset_other"}]}
    oldest_first = {"data": [{"id": "webset_a"}, {"id": "webset_b"}]}
    assert _compare(recorded, oldest_first, strict=False, ids=ids) == [
        "data: listed ['webset_a', 'webset_b'], recorded order ['webset_b', 'webset_a']"
    ]
    newest_first = {"data": [{"id": "webset_b"}, {"id": "webset_a"}]}
    assert _compare(recorded, newest_first, strict=False, ids=ids) == []


def test_ids_learnt_from_answers_rewrite_later_paths_and_bodies() -> None:
    ids = IdMap()
    ids.learn(
        {"id": "webset_r", "searches": [{"id": "wsearch_r"}], "uploadUrl": "https://s3/x.csv?sig"},
        {"id": "webset_e", "searches": [{"id": "wsearch_e"}], "uploadUrl": "http://e/upload"},
    )
    assert ids.path("/websets/v0/websets/webset_r/searches/wsearch_r") == (
        "/websets/v0/websets/webset_e/searches/wsearch_e"
    )
    assert ids.body({"exclude": [{"source": "webset", "id": "webset_r"}]}) == {
        "exclude": [{"source": "webset", "id": "webset_e"}]
    }
    assert ids.uploads == {"/x.csv": "http://e/upload"}
