"""The package's layers, and the drawing of them the README shows, read from the code.

Each module of `allocsim` belongs to one layer; a module may import from its own layer
and the layers below it, never from a layer above (`upward_imports` finds any, a test
keeps it empty). The imports are read from the source (every `import` and `from ...
import`, those inside functions included), so the drawing is what the code does.

    python -m allocsim.readme     # writes the drawing into the README (with its other parts)
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent

# Bottom to top: (layer, what it holds, its modules: a name is the module or the folder).
LAYERS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "foundation",
        "settings, codes, errors, files, keyed draws, statistics, words",
        (
            "__init__",
            "config",
            "docs",
            "domain",
            "errors",
            "i18n",
            "keyed",
            "loader",
            "paths",
            "progress",
            "records",
            "stats",
        ),
    ),
    ("world", "the stock, households drawn, demography", ("demography", "pilot_cache", "world")),
    ("model", "the rules and the compiled week", ("model", "policies")),
    (
        "engine",
        "the schedule, seeding, records of a replication",
        ("engine", "precompile", "waiting_list"),
    ),
    ("analysis", "metrics of replications, what a review can detect", ("analysis",)),
    ("runs", "replications driven", ("calibrate", "experiment", "runner", "runs", "steady")),
    ("reports", "reports and comparisons", ("reports",)),
    ("robustness", "conclusions across uncertain assumptions", ("explore",)),
    (
        "command line",
        "the commands and the README's generated parts",
        ("cli", "layers", "readme", "validate"),
    ),
)


def module_name(path: Path) -> str:
    """`model/close.py` -> `model.close`; a package's `__init__.py` -> its folder."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    """The index in LAYERS of a module (`model.close` is in the layer naming `model`)."""
    head = module.split(".")[0]
    for i, (_, _, names) in enumerate(LAYERS):
        if module in names or head in names:
            return i
    raise KeyError(f"allocsim.{module} is in no layer of allocsim/layers.py")


def imports() -> dict[str, set[str]]:
    """Each module's imports of other allocsim modules (as module names)."""
    out: dict[str, set[str]] = defaultdict(set)
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        here = module_name(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                # `from allocsim.x import y`: x, and y too where y is a module of x.
                subs = [f"{node.module}.{a.name}" for a in node.names]
                targets = [node.module] if node.module != "allocsim" else []
                targets += [t for t in subs if _is_module(t[len("allocsim.") :])]
                if node.module == "allocsim" and len(targets) < len(subs):
                    targets.append("allocsim")  # a name from the package's __init__
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for name in targets:
                if name == "allocsim":
                    out[here].add("__init__")
                elif name.startswith("allocsim.") and _is_module(name[len("allocsim.") :]):
                    out[here].add(name[len("allocsim.") :])
        out.setdefault(here, set())
    return dict(out)


def _is_module(name: str) -> bool:
    path = PACKAGE.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def upward_imports() -> list[tuple[str, str]]:
    """(importer, imported) pairs where a module imports from a layer above its own."""
    return sorted((a, b) for a, bs in imports().items() for b in bs if layer_of(b) > layer_of(a))


def drawing() -> str:
    """The layers top to bottom, each with its modules and the layers it imports from."""
    graph = imports()
    uses: dict[int, set[int]] = defaultdict(set)
    members: dict[int, set[str]] = defaultdict(set)
    for a, bs in graph.items():
        members[layer_of(a)].add(a.split(".")[0] if "." in a else a)
        for b in bs:
            if layer_of(b) != layer_of(a):
                uses[layer_of(a)].add(layer_of(b))
    lines = []
    for i in reversed(range(len(LAYERS))):
        name, what, _ = LAYERS[i]
        shown = sorted(m if (PACKAGE / f"{m}.py").is_file() else f"{m}/" for m in members[i])
        below = ", ".join(LAYERS[j][0] for j in sorted(uses[i], reverse=True))
        lines.append(f"{name:<13} {what}")
        lines.append(f"{'':<13} {' '.join(shown)}")
        lines.append(f"{'':<13} uses: {below or 'nothing of allocsim'}")
        if i:
            lines.append(f"{'':<13}   |")
    return "\n".join(lines)
