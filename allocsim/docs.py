"""The README's config reference, generated from the schema so it cannot drift."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from allocsim.config import Config


def _rows(model: type[BaseModel], instance: BaseModel, prefix: str) -> list[tuple[str, str, str]]:
    rows = []
    for name, field in model.model_fields.items():
        if name == "base_dir":
            continue
        value = getattr(instance, name)
        key = f"{prefix}{name}"
        if isinstance(value, BaseModel):
            doc = " ".join((type(value).__doc__ or "").split())  # one table row
            if doc and not doc.startswith(("A base", "Usage")):
                rows.append((f"[{key}]", "", doc))
            rows.extend(_rows(type(value), value, f"{key}."))
            continue
        if (
            isinstance(value, dict)
            and value
            and all(isinstance(v, BaseModel) for v in value.values())
        ):
            if field.description:
                rows.append((f"[{key}]", "", field.description))
            for k, v in value.items():
                rows.extend(_rows(type(v), v, f"{key}.{k}."))
            continue
        shown: Any = value
        if isinstance(value, BaseModel | dict | tuple | list):
            shown = json.loads(json.dumps(_plain(value), default=str))
        rows.append((key, json.dumps(shown, default=str), field.description or ""))
    return rows


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def config_reference() -> str:
    lines = ["| key | default | meaning and source |", "|---|---|---|"]
    for key, default, doc in _rows(Config, Config(), ""):
        if len(default) > 60:
            default = default[:57] + "..."
        lines.append(f"| `{key}` | `{default}` | {doc} |" if default else f"| `{key}` | | {doc} |")
    return "\n".join(lines)
