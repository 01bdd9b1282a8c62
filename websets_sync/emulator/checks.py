"""Field checks shared by the request validators; each failure is a 400 naming the field."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from websets_sync.emulator.failures import bad_request
from websets_sync.emulator.store import JSON

ENTITY_TYPES = ("company", "person", "article", "research_paper", "custom")
SOURCES = ("import", "webset")


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def obj(value: Any, where: str) -> JSON:
    if not isinstance(value, dict):
        raise bad_request(f"{where or 'body'}: must be an object")
    return value


def string(
    body: JSON,
    key: str,
    where: str = "",
    *,
    required: bool = False,
    min_len: int = 0,
    max_len: int | None = None,
    nullable: bool = False,
) -> str | None:
    name = _at(where, key)
    value = body.get(key)
    if value is None:
        if key not in body and required:
            raise bad_request(f"{name}: is required")
        if key in body and not nullable:
            raise bad_request(f"{name}: must be a string, not null")
        return None
    if not isinstance(value, str):
        raise bad_request(f"{name}: must be a string")
    if len(value) < min_len:
        raise bad_request(f"{name}: must be at least {min_len} characters long")
    if max_len is not None and len(value) > max_len:
        raise bad_request(f"{name}: must be at most {max_len} characters long")
    return value


def number(
    body: JSON,
    key: str,
    where: str = "",
    *,
    required: bool = False,
    minimum: float | None = None,
    exclusive_minimum: float | None = None,
    maximum: float | None = None,
    integer: bool = False,
) -> float | None:
    name = _at(where, key)
    value = body.get(key)
    if value is None:
        if required:
            raise bad_request(f"{name}: is required")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise bad_request(f"{name}: must be a number")
    if integer and value != int(value):
        raise bad_request(f"{name}: must be an integer")
    if minimum is not None and value < minimum:
        raise bad_request(f"{name}: must be >= {minimum:g}")
    if exclusive_minimum is not None and value <= exclusive_minimum:
        raise bad_request(f"{name}: must be > {exclusive_minimum:g}")
    if maximum is not None and value > maximum:
        raise bad_request(f"{name}: must be <= {maximum:g}")
    return value


def boolean(body: JSON, key: str, where: str = "") -> bool | None:
    value = body.get(key)
    if value is not None and not isinstance(value, bool):
        raise bad_request(f"{_at(where, key)}: must be a boolean")
    return value


def choice(
    body: JSON, key: str, values: tuple[str, ...], where: str = "", *, required: bool = False
) -> str | None:
    value = body.get(key)
    if value is None:
        if required:
            raise bad_request(f"{_at(where, key)}: is required")
        return None
    if value not in values:
        raise bad_request(f"{_at(where, key)}: must be one of {', '.join(values)}")
    return str(value)


def metadata(
    body: JSON, where: str = "", *, max_value: int | None = 1000, nullable: bool = False
) -> dict[str, str] | None:
    name = _at(where, "metadata")
    value = body.get("metadata")
    if value is None:
        if "metadata" in body and not nullable:
            raise bad_request(f"{name}: must be an object, not null")
        return None
    obj(value, name)
    for meta_key, meta_value in value.items():
        if not isinstance(meta_value, str):
            raise bad_request(f"{name}.{meta_key}: must be a string")
        if max_value is not None and len(meta_value) > max_value:
            raise bad_request(f"{name}.{meta_key}: must be at most {max_value} characters long")
    return dict(value)


def entity(body: JSON, key: str, where: str = "", *, required: bool = False) -> JSON | None:
    name = _at(where, key)
    value = body.get(key)
    if value is None:
        if required:
            raise bad_request(f"{name}: is required")
        return None
    obj(value, name)
    kind = choice(value, "type", ENTITY_TYPES, name, required=True)
    if kind == "custom":
        description = string(value, "description", name, required=True, min_len=2, max_len=200)
        return {"type": "custom", "description": description}
    return {"type": kind}


def criteria(
    body: JSON, key: str, where: str, *, min_items: int, min_len: int
) -> list[JSON] | None:
    name = _at(where, key)
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not min_items <= len(value) <= 5:
        raise bad_request(f"{name}: must be a list of {min_items} to 5 criteria")
    result = []
    for index, item in enumerate(value):
        at = f"{name}[{index}]"
        text = string(
            obj(item, at), "description", at, required=True, min_len=min_len, max_len=1000
        )
        result.append({"description": text})
    return result


def sources(body: JSON, key: str, where: str = "", *, scope: bool = False) -> list[JSON] | None:
    """``import``/``exclude``/``scope`` lists of ``{source, id}`` (scope adds ``relationship``)."""
    name = _at(where, key)
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        raise bad_request(f"{name}: must be a list")
    result = []
    for index, item in enumerate(value):
        at = f"{name}[{index}]"
        obj(item, at)
        entry: JSON = {
            "source": choice(item, "source", SOURCES, at, required=True),
            "id": string(item, "id", at, required=True, min_len=1),
        }
        if scope and item.get("relationship") is not None:
            rel = obj(item["relationship"], f"{at}.relationship")
            entry["relationship"] = {
                "definition": string(rel, "definition", f"{at}.relationship", required=True),
                "limit": number(
                    rel, "limit", f"{at}.relationship", required=True, minimum=1, maximum=10
                ),
            }
        result.append(entry)
    return result


def timezone(body: JSON, where: str) -> str | None:
    value = string(body, "timezone", where, min_len=1)
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise bad_request(f"{_at(where, 'timezone')}: unknown IANA timezone {value!r}") from None
    return value
