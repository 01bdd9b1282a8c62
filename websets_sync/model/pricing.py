"""Pricing profiles: what one item and one enrichment cell may cost, as an honest low/high range.

Exa bills Websets by usage, not per item (source: https://exa.ai/docs/websets/pricing, recorded in
API-NOTES §7): Agent Compute Units at $0.10 each (query interpretation, candidate reasoning,
criteria verification, enrichment) plus $5 per 1,000 web searches Websets performs internally;
enrichments use the same two rates, and contact enrichments (emails, phone numbers) add $0.02
each. "There is no fixed price per match": the docs' worked example (3 ACU + 250 searches for 50
verified matches) averages $0.031 per match.

So the built-in profile is a range, not a price list:

- per item (a verified match a search or monitor run adds): $0.02 to $0.05, around the docs'
  $0.031 average (a broad query verifies more candidates per match, a narrow one fewer);
- per cell (one enrichment result for one item): $0.005 to $0.03, a fraction of an ACU of
  reasoning plus a few searches, the high end leaving room for the $0.02 contact surcharge.

A team calibrates its own figures from the items ``apply --wait`` reports and its billing page,
and passes them with ``--pricing FILE`` (manifest/pricing.py reads that file).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pricing:
    """A named pricing profile: USD per item found and per enrichment cell, low and high."""

    name: str
    item_low: float
    item_high: float
    cell_low: float
    cell_high: float


BUILTIN_PRICING = Pricing(
    name="exa-published",
    item_low=0.02,
    item_high=0.05,
    cell_low=0.005,
    cell_high=0.03,
)
