"""What the real API fills in when a request leaves it out, and the items a search "finds".

All of it is derived from the request text and a seeded random source, so runs are reproducible.
"""

from __future__ import annotations

import random
import re

from websets_sync.emulator.store import JSON

_ENTITY_WORDS = (
    ("person", r"\b(people|person|persons|founders?|ceos?|engineers?|researchers?|executives?)\b"),
    ("research_paper", r"\b(papers?|research papers?|studies|study|preprints?)\b"),
    ("article", r"\b(articles?|news|blog posts?|posts?|press releases?)\b"),
)
_FORMAT_WORDS = (
    ("email", r"\be-?mail"),
    ("phone", r"\bphone|\btelephone"),
    ("url", r"\b(url|website|link|homepage)\b"),
    ("date", r"\b(date|when|founded|year)\b"),
    ("number", r"\b(number|how many|count|revenue|employees|headcount|amount)\b"),
)
_CLAUSE_SPLIT = re.compile(r",|;|\b(?:that|which|who|with|based in|located in)\b", re.IGNORECASE)
_FIRST = ("Ada", "Grace", "Alan", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Tim")
_LAST = ("Lovelace", "Hopper", "Turing", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen")
_WORDS = (
    "Nova",
    "Quanta",
    "Lumen",
    "Vertex",
    "Orbit",
    "Cobalt",
    "Ember",
    "Helix",
    "Atlas",
    "Pylon",
)
_SUFFIX = ("Labs", "AI", "Systems", "Analytics", "Robotics", "Health", "Cloud", "Works")
_CITIES = ("Berlin, Germany", "Paris, France", "Austin, USA", "London, UK", "Toronto, Canada")


def _slug(text: str) -> str:
    return text.lower().replace(" ", "-")


def entity_for(query: str) -> JSON:
    """The entity the API would pick for ``query`` (company unless the words say otherwise)."""
    for kind, pattern in _ENTITY_WORDS:
        if re.search(pattern, query, re.IGNORECASE):
            return {"type": kind}
    return {"type": "company"}


def criteria_for(query: str) -> list[JSON]:
    """One to three criteria generated from the query's clauses."""
    clauses = [part.strip(" .") for part in _CLAUSE_SPLIT.split(query) if part.strip(" .")]
    picked = clauses[:3] or [query.strip()]
    return [{"description": f"Result matches: {clause}"[:1000]} for clause in picked]


_TITLE_NOUNS = {
    "company": "Companies",
    "person": "People",
    "article": "Articles",
    "research_paper": "Research papers",
    "custom": "Results",
}
_TITLE_SPLIT = re.compile(r",|;|\b(?:in|with|that|which|who|based in|located in)\b", re.IGNORECASE)
_TITLE_NOISE = re.compile(r"\b(?:companies|company|people|persons)\b", re.IGNORECASE)


def title_for(query: str, entity: JSON | None = None) -> str:
    """In the recorded style: "Fintech companies in London" → "Companies: Fintech, London"."""
    noun = _TITLE_NOUNS.get(str((entity or entity_for(query))["type"]), "Results")
    parts = [" ".join(_TITLE_NOISE.sub("", part).split()) for part in _TITLE_SPLIT.split(query)]
    words = ", ".join(part for part in parts if part) or query.strip()
    return f"{noun}: {words}"[:200]


def format_for(description: str) -> str:
    for fmt, pattern in _FORMAT_WORDS:
        if re.search(pattern, description, re.IGNORECASE):
            return fmt
    return "text"


def enrichment_title(description: str) -> str:
    words = re.sub(r"[^\w\s-]", "", description).split()
    return " ".join(words[:6]).title() or "Enrichment"


def enrichment_instructions(description: str, fmt: str) -> str:
    return f"For each item, find: {description.strip()} Answer in {fmt} format."


def success_rate(rng: random.Random) -> float:
    return float(rng.randint(55, 100))


_DOCUMENT_KEYS = {"article": "article", "research_paper": "researchPaper", "custom": "custom"}


def item_properties(entity: JSON | None, rng: random.Random, query: str) -> JSON:
    """Item properties of the search's entity type, shaped as the spec's oneOf requires."""
    kind = (entity or {}).get("type", "company")
    name = f"{rng.choice(_WORDS)} {rng.choice(_SUFFIX)}"
    description = f"Found for: {query[:200]}"
    if kind == "person":
        return _person(rng, name, description)
    if kind in _DOCUMENT_KEYS:
        return _document(kind, rng, name, description, query)
    return _company(rng, name, description, query)


def _person(rng: random.Random, company: str, description: str) -> JSON:
    person = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    return {
        "type": "person",
        "url": f"https://www.linkedin.com/in/{_slug(person)}-{rng.randint(1, 999)}",
        "description": description,
        "person": {
            "name": person,
            "location": rng.choice(_CITIES),
            "position": rng.choice(("CEO", "CTO", "Founder", "Engineer")),
            "company": {"name": company, "location": rng.choice(_CITIES)},
            "pictureUrl": None,
        },
    }


def _document(kind: str, rng: random.Random, name: str, description: str, query: str) -> JSON:
    return {
        "type": kind,
        "url": f"https://{_slug(name)}.example.com/{rng.randint(1000, 9999)}",
        "description": description,
        "content": f"{name} text about {query[:100]}",
        _DOCUMENT_KEYS[kind]: {
            "title": f"{name}: {query[:80]}",
            "author": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
            "publishedAt": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        },
    }


def _company(rng: random.Random, name: str, description: str, query: str) -> JSON:
    return {
        "type": "company",
        "url": f"https://{_slug(name)}.example.com",
        "description": description,
        "content": f"{name} builds things related to {query[:100]}",
        "company": {
            "name": name,
            "location": rng.choice(_CITIES),
            "employees": rng.randint(5, 5000),
            "industry": rng.choice(("Software", "Healthcare", "Finance", "Energy")),
            "about": f"{name} is a company.",
            "logoUrl": f"https://{_slug(name)}.example.com/logo.png",
        },
    }


def reference(properties: JSON) -> JSON:
    """The source an evaluation or enrichment result cites: the item's own page."""
    kind = str(properties.get("type"))
    details = properties.get(_DOCUMENT_KEYS.get(kind, kind)) or {}
    title = details.get("name") or details.get("title") or properties["url"]
    return {"title": title, "snippet": properties.get("description"), "url": properties["url"]}


def enrichment_value(fmt: str, options: list[JSON] | None, rng: random.Random, name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "", name.lower()) or "item"
    values = {
        "text": f"About {name}",
        "date": f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "number": str(rng.randint(1, 10_000)),
        "email": f"contact@{slug}.example.com",
        "phone": f"+1 555 01{rng.randint(10, 99)}",
        "url": f"https://{slug}.example.com",
    }
    if fmt == "options" and options:
        return str(rng.choice(options)["label"])
    return values.get(fmt, values["text"])
