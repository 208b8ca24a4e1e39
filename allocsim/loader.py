"""Reading a scenario: TOML files with `extends`, `--set` overrides, and the translation of
validation errors into one readable line per problem (file, key, allowed values); and
`scaled`, a scenario's world made larger or smaller. The schema itself, with every
default and its source, is `allocsim.config`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from allocsim.config import Config
from allocsim.errors import ConfigError, EnvironmentProblem, Problem


def _merge(
    base: dict[str, Any],
    over: dict[str, Any],
    origin: dict[tuple[str, ...], str],
    src: str,
    prefix: tuple[str, ...] = (),
) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        path = (*prefix, key)
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, origin, src, path)
        else:
            out[key] = value
            origin[path] = src
            _mark(value, path, origin, src)
    return out


def _mark(value: Any, path: tuple[str, ...], origin: dict[tuple[str, ...], str], src: str) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            origin[(*path, k)] = src
            _mark(v, (*path, k), origin, src)


def read_toml(
    path: Path, chain: tuple[Path, ...], what: str = "config file"
) -> tuple[dict[str, Any], dict]:
    """Read a TOML file and everything it extends; return data and key origins. `what`
    names the file in the message when it does not exist ("experiment spec", ...)."""
    if path.resolve() in chain:
        closing = chain[-1] if chain else path
        raise ConfigError(
            [
                Problem(
                    str(closing),
                    "extends",
                    str(path),
                    "a file that is not already in its own extends chain "
                    f"({' -> '.join(p.name for p in (*chain, path.resolve()))})",
                )
            ]
        )
    if path.is_dir():
        raise ConfigError([Problem(str(path), "", "", "a TOML file, not a folder")])
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a BOM (Windows editors) is dropped
    except FileNotFoundError:
        raise ConfigError([Problem(str(path), "", "", f"an existing {what}")]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [Problem(str(path), "", "", f"UTF-8 text (byte {exc.start} is not UTF-8)")]
        ) from None
    except OSError as exc:
        raise EnvironmentProblem(str(path), exc.strerror or str(exc), "check the file") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(str(path), "", "", f"valid TOML ({exc})")]) from None
    origin: dict[tuple[str, ...], str] = {}
    parent_ref = data.pop("extends", None)
    base: dict[str, Any] = {}
    if parent_ref is not None:
        if not isinstance(parent_ref, str):
            raise ConfigError([Problem(str(path), "extends", repr(parent_ref), "a file path")])
        parent = path.parent / parent_ref
        if not parent.is_file():
            raise ConfigError(
                [Problem(str(path), "extends", parent_ref, f"an existing file (no {parent})")]
            )
        base, origin = read_toml(parent, (*chain, path.resolve()))
    return _merge(base, data, origin, str(path)), origin


def parse_override(item: str) -> tuple[list[str], Any]:
    """`a.b.c=value` -> (['a','b','c'], value), the value read as TOML if it can be."""
    if "=" not in item:
        raise ConfigError([Problem("--set", item, item, "key.path=value")])
    key, raw = item.split("=", 1)
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip().split("."), value


def override_settings(overrides: list[str] | tuple[str, ...]) -> list[tuple[str, Any, str]]:
    """`--set` items as settings: (dotted key, value, where it came from)."""
    settings = []
    for item in overrides:
        keys, value = parse_override(item)
        settings.append((".".join(keys), value, f"--set {item}"))
    return settings


def settings_shown(overrides: list[str] | tuple[str, ...]) -> dict[str, str]:
    """`--set` items as the manifest and the report show them: key -> value as typed."""
    return {item.split("=", 1)[0].strip(): item.split("=", 1)[1].strip() for item in overrides}


def load_config(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Load, merge and validate a scenario; raise ConfigError listing every problem."""
    return load_config_with(path, override_settings(overrides))


def load_config_with(path: str | Path, settings: list[tuple[str, Any, str]]) -> Config:
    """Load a scenario with settings (dotted key, value, where it came from) applied."""
    path = Path(path)
    data, origin = read_toml(path, ())
    for dotted, value, src in settings:
        keys = dotted.split(".")
        node = data
        for k in keys[:-1]:
            node = node.setdefault(k, {})
            if not isinstance(node, dict):
                raise ConfigError([Problem(src, dotted, repr(value), "a path to a setting")])
        node[keys[-1]] = value
        origin[tuple(keys)] = src
    data["base_dir"] = str(path.parent)
    return validate_dict(Config, data, origin, str(path))


def validate_dict(model: type[Any], data: dict[str, Any], origin: dict, default_src: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(problems_from(exc, model, origin, default_src)) from None


def problems_from(
    exc: ValidationError, model: type[BaseModel], origin: dict, default_src: str
) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(str(p) for p in err["loc"])
        src = _origin_of(loc, origin, default_src)
        key = ".".join(loc)
        value = err.get("input")
        shown = "" if isinstance(value, dict) else repr(value)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(model, loc[:-1])
            msg = f"a known key (allowed: {', '.join(allowed)})" if allowed else "a known key"
        elif err["type"] == "value_error":
            msg = msg.removeprefix("Value error, ")
        else:
            msg = _plain(msg)
        problems.append(Problem(src, key, shown, msg))
    return problems


def _plain(msg: str) -> str:
    """Pydantic's wording as what is expected: "Input should be a valid boolean" -> "a
    boolean (true or false)"; "Input should be greater than or equal to 0" -> "a value
    greater than or equal to 0"."""
    words = {
        "Input should be a valid boolean": "true or false",
        "Input should be a valid integer": "a whole number",
        "Input should be a valid number": "a number",
        "Input should be a finite number": "a finite number (not nan or inf)",
        "Input should be a valid string": "text",
        "Input should be a valid date": "a date (YYYY-MM-DD)",
        "Input should be a valid dictionary": "a table",
        "Input should be a valid tuple": "a list",
        "Input should be a valid list": "a list",
        "Field required": "a value (the key is missing)",
    }
    for pydantic, plain in words.items():
        if msg.startswith(pydantic):
            return plain
    return msg.removeprefix("Input should be ")


def _origin_of(loc: tuple[str, ...], origin: dict, default_src: str) -> str:
    for n in range(len(loc), 0, -1):
        if loc[:n] in origin:
            return str(origin[loc[:n]])
    return default_src


def _allowed_keys(model: type[BaseModel], loc: tuple[str, ...]) -> list[str]:
    """The keys allowed where `loc` points, through nested models, the entries of a
    `dict[str, Model]` and the items of a `tuple[Model, ...]`."""
    current: Any = model
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            if getattr(current, "__args__", None) is None:
                return []
            # A table of models (dict key) or a list of them (index): the entry's model.
            models = [
                a for a in current.__args__ if isinstance(a, type) and issubclass(a, BaseModel)
            ]
            if not models:
                return []
            current = models[0]
            continue
        field = current.model_fields.get(part)
        if field is None:
            return []
        current = field.annotation
        args = getattr(current, "__args__", None)
        if args and not (isinstance(current, type) and issubclass(current, BaseModel)):
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            if models and type(None) in args:  # Model | None
                current = models[0]
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [k for k in current.model_fields if k != "base_dir"]
    return []


def scaled(cfg: Config, factor: float) -> Config:
    """The same world `factor` times as large: homes, new build, and every absolute
    flow (starter quotas, status-holder tasks, sheltered outflow). Rates per home and
    per seeker stay, so shares and ratios (success rate, responses per advert) keep
    their meaning while counts scale. Used for quick calibration and benchmarks."""
    data = cfg.model_dump()
    for area in data["stock"]["areas"]:
        area["n_homes"] = int(round(area["n_homes"] * factor))
    for project in data["new_build"]["projects"]:
        project["n_homes"] = int(round(project["n_homes"] * factor))
    nb = data["new_build"]
    nb["unplanned_per_year"] = {k: v * factor for k, v in nb["unplanned_per_year"].items()}
    for key in ("policies", "history_policies"):
        p = data[key]
        if p is None:
            continue
        sp = p["starter_pilot"]
        sp["quota_per_year"] = {k: int(round(v * factor)) for k, v in sp["quota_per_year"].items()}
        for half in ("task_persons_h1", "task_persons_h2"):
            sh = p["status_holders"]
            sh[half] = {k: v * factor for k, v in sh[half].items()}
        so = p["sheltered_outflow"]
        so["households_per_year"] = {k: v * factor for k, v in so["households_per_year"].items()}
    return Config.model_validate(data)


def read_spec(model: type[Any], path: Path, seed: int | None, what: str) -> Any:
    """An experiment-like spec file (experiment, exploration) validated as `model`, with
    its folder as `base_dir` and `--seed` (when given) as its seed; `what` names it."""
    data, origin = read_toml(path, (), what)
    data["base_dir"] = str(path.parent)
    if seed is not None:
        data["seed"] = seed
        origin[("seed",)] = "--seed"
    return validate_dict(model, data, origin, str(path))
