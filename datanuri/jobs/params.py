"""A job's parameters: a typed dataclass per kind, stored as JSON in the job row and parsed
(and validated) again when a worker claims the job. Pure; no database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from pydantic import TypeAdapter

P = TypeVar("P")


class BadParams(ValueError):
    """The stored parameters do not fit the kind's dataclass (the message says where)."""


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(cls: type[Any]) -> TypeAdapter[Any]:
    found = _ADAPTERS.get(cls)
    if found is None:
        from pydantic import TypeAdapter  # imported by the first job, not by every command

        found = _ADAPTERS[cls] = TypeAdapter(cls)
    return found


def dump_params(params: Any) -> dict[str, Any]:
    """A params dataclass as the JSON object the job row stores."""
    out = _adapter(type(params)).dump_python(params, mode="json")
    assert isinstance(out, dict)
    return out


def load_params(cls: type[P], data: Any) -> P:
    """The params dataclass `cls` from a job row's JSON; `BadParams` names what does not fit."""
    if not isinstance(data, dict):
        raise BadParams("not a JSON object")
    from pydantic import ValidationError

    try:
        parsed: P = _adapter(cls).validate_python(data, strict=False)
        return parsed
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "-"
        raise BadParams(f"{where}: {first.get('msg', 'invalid')}") from None
