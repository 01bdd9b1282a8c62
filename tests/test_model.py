import pytest

from websets_sync.model import Address, Kind


@pytest.mark.parametrize(
    "text",
    [
        "webset/eu-ai",
        "webset/eu-ai/search/initial",
        "webset/eu-ai/enrichment/ceo",
        "webset/eu-ai/monitor/weekly",
        "webhook/crm-sync",
    ],
)
def test_address_round_trips(text: str) -> None:
    assert str(Address.parse(text)) == text


@pytest.mark.parametrize(
    "text",
    ["", "webset", "webset/", "webset/a/b", "webset/a/item/b", "webhook/a/b", "x/y", "webset/-a"],
)
def test_address_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError, match="invalid address"):
        Address.parse(text)


def test_webset_contains_its_children_only() -> None:
    webset = Address.for_webset("a")
    assert webset.contains(Address.for_child(Kind.SEARCH, "a", "s"))
    assert not webset.contains(Address.for_child(Kind.SEARCH, "b", "s"))
    assert not webset.contains(Address.for_webhook("a"))


def test_sort_key_orders_parents_then_children_then_webhooks() -> None:
    addresses = [
        Address.for_webhook("h"),
        Address.for_child(Kind.MONITOR, "a", "m"),
        Address.for_child(Kind.SEARCH, "a", "s"),
        Address.for_webset("a"),
    ]
    ordered = sorted(addresses, key=Address.sort_key)
    assert [str(a) for a in ordered] == [
        "webset/a",
        "webset/a/search/s",
        "webset/a/monitor/m",
        "webhook/h",
    ]
