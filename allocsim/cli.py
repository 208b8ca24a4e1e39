"""Command line: `allocsim run|validate|export-stock|columns|config-reference`.

Bad input ends with exit code 2 and one line per problem on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from allocsim.config import Config, load_config
from allocsim.errors import ConfigError
from allocsim.records import TABLES

SUMMARY_METRICS = (
    "lettings",
    "active_seekers",
    "success_rate",
    "meettijd_median_years",
    "search_median_days",
    "refusals_per_letting",
)


def _load(args: argparse.Namespace) -> Config:
    overrides = list(args.set or [])
    if getattr(args, "seed", None) is not None:
        overrides.append(f"run.seed={args.seed}")
    if getattr(args, "replications", None) is not None:
        overrides.append(f"run.replications={args.replications}")
    return load_config(args.config, overrides)


def format_summary(summary: pd.DataFrame) -> str:
    """The terminal table: every group's headline metrics, then quota and cap use."""
    if summary.empty:
        return "(no results)"
    s = summary[(summary["dimension"] == "all") & summary["metric"].isin(SUMMARY_METRICS)]
    table = s.pivot_table(index="group", columns="metric", values="mean", aggfunc="first")
    table = table.reindex(columns=[m for m in SUMMARY_METRICS if m in table.columns])
    q = summary[(summary["dimension"] == "quota") & summary["metric"].isin(["limit", "used"])]
    quotas = q.pivot_table(
        index=["level", "group"], columns="metric", values="mean", aggfunc="first"
    )
    n = int(summary["n_replications"].max())
    lines = [
        f"Per group, whole run (mean of {n} replication{'s' if n != 1 else ''}):",
        table.to_string(float_format=lambda v: f"{v:,.2f}"),
        "",
        "Quotas and caps (limit = agreed maximum or target; used = realised):",
        quotas.to_string(float_format=lambda v: f"{v:,.1f}"),
    ]
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    from allocsim.runner import default_out_dir, run_scenario

    cfg = _load(args)
    out = Path(args.out) if args.out else default_out_dir(cfg)
    result = run_scenario(cfg, out)
    print(format_summary(result.summary))
    if result.failures:
        print(f"\n{len(result.failures)} replication(s) failed; see manifest.json", file=sys.stderr)
    print(f"\nResults written to {result.out_dir}/ (summary.csv, Parquet tables, manifest.json)")
    return 1 if result.failures else 0


def cmd_validate(args: argparse.Namespace) -> int:
    cfg = _load(args)
    if cfg.stock.source == "csv":
        from allocsim.world import build_stock

        build_stock(cfg)
    print(f"{args.config}: ok (scenario {cfg.name!r})")
    return 0


def cmd_export_stock(args: argparse.Namespace) -> int:
    from allocsim.world import build_stock, write_stock_csv

    cfg = _load(args)
    write_stock_csv(build_stock(cfg), Path(args.csv), cfg.run.start_date)
    print(f"Stock written to {args.csv}")
    return 0


def cmd_columns(args: argparse.Namespace) -> int:
    for table, cols in TABLES.items():
        print(f"\n### `{table}`\n\n| column | type | meaning |\n|---|---|---|")
        for name, (dtype, doc) in cols.items():
            print(f"| `{name}` | {dtype} | {doc} |")
    return 0


def cmd_config_reference(args: argparse.Namespace) -> int:
    from allocsim.docs import config_reference

    print(config_reference())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="allocsim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def with_config(p: argparse.ArgumentParser) -> None:
        p.add_argument("config", help="scenario TOML file")
        p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a setting")

    p = sub.add_parser("run", help="run a scenario and write a run folder")
    with_config(p)
    p.add_argument("--seed", type=int, help="root seed (overrides run.seed)")
    p.add_argument("--replications", type=int, help="replications (overrides run.replications)")
    p.add_argument("--out", help="run folder to create (default results/<name>-<time>)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check a scenario file")
    with_config(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("export-stock", help="write a scenario's stock as CSV (a template)")
    with_config(p)
    p.add_argument("csv", help="CSV file to write")
    p.set_defaults(func=cmd_export_stock)

    p = sub.add_parser("columns", help="print the record tables' columns (Markdown)")
    p.set_defaults(func=cmd_columns)
    p = sub.add_parser("config-reference", help="print every setting with its default and source")
    p.set_defaults(func=cmd_config_reference)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing was written", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
