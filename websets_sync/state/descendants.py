"""Which state addresses lie below an address, without a scan of every address.

Forgetting a deleted webset forgets its children (``webset/a`` takes ``webset/a/search/s`` with
it). Found by a scan, deleting D websets from a state of N addresses cost D × N; here each
address is filed under each of its proper prefixes when it is added.
"""

from __future__ import annotations

from collections.abc import Iterable


def _prefixes(address: str) -> Iterable[str]:
    """``webset/a/search/s`` → ``webset``, ``webset/a``, ``webset/a/search``."""
    cut = address.find("/")
    while cut >= 0:
        yield address[:cut]
        cut = address.find("/", cut + 1)


class Descendants:
    """Addresses filed by prefix; ``below(a)`` is every added address starting with ``a/``."""

    def __init__(self, addresses: Iterable[str] = ()) -> None:
        self._below: dict[str, set[str]] = {}
        for address in addresses:
            self.add(address)

    def add(self, address: str) -> None:
        for prefix in _prefixes(address):
            self._below.setdefault(prefix, set()).add(address)

    def discard(self, address: str) -> None:
        for prefix in _prefixes(address):
            below = self._below.get(prefix)
            if below is not None:
                below.discard(address)
                if not below:
                    del self._below[prefix]

    def below(self, address: str) -> list[str]:
        """The addresses below ``address`` (not itself), sorted."""
        return sorted(self._below.get(address, ()))
