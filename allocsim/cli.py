"""Command line: `allocsim run|experiment|compare|report|calibrate|check-fit|validate|...`.

Bad input ends with exit code 2 and one line per problem on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import shlex
import signal
import sys
import textwrap
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from allocsim.config import Config
from allocsim.errors import (
    EXIT_BUG,
    EXIT_ENVIRONMENT,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    ConfigError,
    EnvironmentProblem,
    Problem,
    os_problem,
)
from allocsim.loader import load_config, scaled, settings_shown
from allocsim.paths import check_new_file, check_new_folder
from allocsim.records import TABLES
from allocsim.runs.folder import MANIFEST, METRICS

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


def number(value: float) -> str:
    """Readable numbers in terminal tables: 56,000 rather than 5.6e+04."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def format_summary(summary: pd.DataFrame) -> str:
    """The terminal table: every group's headline metrics, then quota and cap use."""
    from allocsim.analysis.metrics import SHARE_METRICS

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
    # Rates in percent ("3.3%", not "0.03"), counts whole, the rest with two decimals.
    shown = table.copy().astype(object)
    for metric in table.columns:
        if metric in SHARE_METRICS:
            shown[metric] = [f"{v:.1%}" if v == v else "" for v in table[metric]]
        else:
            digits = 0 if metric in ("lettings", "active_seekers") else 2
            shown[metric] = [f"{v:,.{digits}f}" if v == v else "" for v in table[metric]]
    lines = [
        f"Per group, whole run (mean of {n} replication{'s' if n != 1 else ''}):",
        shown.to_string(),
        "",
        "Quotas and caps (limit = agreed maximum or target; used = realised):",
        quotas.to_string(float_format=lambda v: f"{v:,.1f}"),
    ]
    return "\n".join(lines)


def _say(message: str) -> None:
    """A line for the user beside the results: on stderr, at once."""
    print(message, file=sys.stderr, flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    from allocsim.runner import default_out_dir, run_scenario

    cfg = _load(args)
    out = Path(args.out) if args.out else default_out_dir(cfg)
    check_new_folder(out, "--out")
    result = run_scenario(
        cfg,
        out,
        quiet=args.quiet,
        command=command_line(args),
        log=_say,
        label=args.label or "",
        settings=settings_shown(args.set or []),
        excel=args.excel,
    )
    print(format_summary(result.summary))
    if result.failures:
        print(f"\n{len(result.failures)} replication(s) failed; see manifest.json", file=sys.stderr)
    print(f"\nResults written to {result.out_dir}/ (summary.csv, Parquet tables, manifest.json)")
    return 1 if result.failures else 0


def _inputs(args: argparse.Namespace, cfg: Config) -> tuple[Path, ...]:
    """The files a command reads: its config and the config's data files."""
    base = Path(cfg.base_dir)
    data = [cfg.stock.csv_path, cfg.seekers.list_csv_path]
    return (Path(args.config), *(base / p for p in data if p))


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a scenario config or an experiment, exploration, calibration or uncertainty
    spec as the command that runs it would, without simulating anything."""
    from allocsim.validate import validate

    for line in validate(args.config, list(args.set or [])):
        print(line)
    return 0


def cmd_export_stock(args: argparse.Namespace) -> int:
    from allocsim.world import build_stock, write_stock_csv

    cfg = _load(args)
    path = Path(args.csv)
    check_new_file(path, "FILE.csv", _inputs(args, cfg), args.force)
    write_stock_csv(build_stock(cfg), path, cfg.run.start_date, excel=args.excel)
    print(f"Stock written to {args.csv}")
    return 0


def cmd_export_seekers(args: argparse.Namespace) -> int:
    from allocsim.runner import export_seekers

    cfg = _load(args)
    path = Path(args.csv)
    check_new_file(path, "FILE.csv", _inputs(args, cfg), args.force)
    n = export_seekers(cfg, path, excel=args.excel)
    print(f"{n} registered households written to {path}")
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


def command_line(args: argparse.Namespace, **changes: Any) -> str:
    """The command as it was parsed, rebuilt from `args` with `changes` (for example
    resume=True): the subcommand's positionals, then each option whose value is not its
    default, in the parser's order. The manifest records it and an interrupted run
    prints it with --resume, so both say exactly what was asked."""
    values = {**vars(args), **changes}
    parts = ["allocsim", args.command]
    options: list[str] = []
    for action in subcommand_parsers()[args.command]._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        value = values.get(action.dest)
        if not action.option_strings:
            parts.append(shlex.quote(str(value)))
        elif value is None or value is False or value == action.default:
            continue
        elif value is True:
            options.append(action.option_strings[-1])
        else:
            for item in value if isinstance(value, list) else [value]:
                options += [action.option_strings[-1], shlex.quote(str(item))]
    return " ".join(parts + options)


def interrupted(args: argparse.Namespace, out: Path, kept: str) -> int:
    """What an interrupted experiment or exploration says (its finished `kept` stay in
    `out` for --resume), and its exit status."""
    resume = command_line(args, resume=True, out=str(out))
    print(
        f"interrupted; finished {kept} are kept in {out}/. Resume with: {resume}", file=sys.stderr
    )
    return EXIT_INTERRUPTED


def output_folder(args: argparse.Namespace, name: str) -> Path:
    """The folder an experiment or exploration writes: --out, or results/<name>-<time>;
    a new one must not exist yet, and --resume needs --out."""
    if args.resume and not args.out:
        raise ConfigError([Problem("--resume", "", "", "--out naming the folder to resume")])
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else Path("results") / f"{name}-{stamp}"
    if not args.resume:
        check_new_folder(out, "--out")
    return out


def cmd_experiment(args: argparse.Namespace) -> int:
    from allocsim.experiment import load_experiment, run_experiment

    spec, scenarios = load_experiment(args.spec, seed=args.seed, overrides=args.set or [])
    out = output_folder(args, spec.name)
    try:
        result = run_experiment(
            spec,
            scenarios,
            out,
            executor=args.executor,
            workers=args.workers,
            address=args.address,
            replications=args.replications,
            resume=args.resume,
            keep_records=args.keep_records,
            quiet=args.quiet,
            log=_say,
            command=command_line(args),
            label=args.label or "",
            settings=settings_shown(args.set or []),
            excel=args.excel,
        )
    except KeyboardInterrupt:
        return interrupted(args, out, "replications")
    print(format_experiment(result.summary, result.comparison, spec.baseline))
    if len(result.summary):
        from allocsim.reports.report import answer

        print("\nIn short:")
        for line in answer(result.out_dir):
            print(textwrap.fill(line, 100, initial_indent="- ", subsequent_indent="  "))
    if result.failures:
        print(f"\n{len(result.failures)} replication(s) failed; see manifest.json", file=sys.stderr)
    print(
        f"\nResults written to {result.out_dir}/ "
        f"({result.n_replications} replications per scenario)"
    )
    if args.report:
        from allocsim.reports.report import write_report

        paths = write_report(result.out_dir, lang=args.lang)
        for key in ("nl.html", "en.html"):
            if key in paths and key != f"{args.lang or 'en'}.html":
                print(f"Report ({key[:2]}): {paths[key]}")
        print(f"Report: {paths['html']}")
    return 1 if result.failures else 0


def cmd_explore(args: argparse.Namespace) -> int:
    from allocsim.explore import load_exploration, run_exploration, write_outputs

    exploration = load_exploration(args.spec, seed=args.seed)
    out = output_folder(args, exploration.spec.name)
    try:
        result = run_exploration(
            exploration,
            out,
            executor=args.executor,
            workers=args.workers,
            address=args.address,
            points=args.points,
            replications=args.replications,
            resume=args.resume,
            quiet=args.quiet,
            command=command_line(args),
        )
    except KeyboardInterrupt:
        return interrupted(args, out, "points")
    tables, paths = write_outputs(exploration, result, (args.lang,) if args.lang else ("en", "nl"))
    shown = tables.conclusions[
        ["conclusion", "points_kept", "share_holds", "share_fails", "share_unclear"]
    ]
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.0%}"))
    counts = result.points["status"].value_counts()
    print(
        f"\n{len(result.points)} points: {counts.get('kept', 0)} kept, "
        f"{counts.get('set aside', 0)} set aside by history matching, "
        f"{counts.get('failed', 0) + counts.get('not run', 0)} failed or not run; "
        f"{result.n_replications} replications per point"
    )
    if result.failures:
        print(f"{len(result.failures)} run(s) failed; see manifest.json", file=sys.stderr)
    print(f"Results written to {result.out_dir}/")
    for key, path in paths.items():
        if key.startswith("html"):
            print(f"Report ({key[-2:]}): {path}")
    return 1 if result.failures else 0


def format_experiment(summary: pd.DataFrame, comparison: pd.DataFrame, baseline: str) -> str:
    """Success rate per group and scenario (in %, scenarios in the spec's order), and the
    differences against the baseline in percentage points."""
    if summary.empty:
        return "(no results)"
    order = list(dict.fromkeys(summary["scenario"]))
    sel = summary[(summary["dimension"] == "all") & (summary["metric"] == "success_rate")]
    table = sel.pivot_table(index="group", columns="scenario", values="mean", aggfunc="first")
    lines = [
        "Success rate (slaagkans) per group, mean over replications:",
        table.reindex(columns=[s for s in order if s in table.columns]).to_string(
            float_format=lambda v: f"{100 * v:.1f}%"
        ),
    ]
    if not comparison.empty:
        c = comparison[
            (comparison["dimension"] == "all") & (comparison["metric"] == "success_rate")
        ]
        c = c.assign(
            difference=[
                f"{100 * m:+.1f} [{100 * lo:+.1f}, {100 * hi:+.1f}]{' *' if sig else '  '}"
                for m, lo, hi, sig in zip(
                    c.diff_mean, c.diff_ci_low, c.diff_ci_high, c.significant, strict=True
                )
            ]
        )
        wide = c.pivot_table(
            index="group", columns="scenario", values="difference", aggfunc="first"
        )
        wide = wide.reindex(columns=[s for s in order if s in wide.columns])
        lines += [
            "",
            f"Difference against {baseline} in percentage points (95% interval; * excludes 0):",
            wide.to_string(),
        ]
    return "\n".join(lines)


def cmd_compare(args: argparse.Namespace) -> int:
    from allocsim.paths import replace_file
    from allocsim.reports.compare import compare_runs, format_comparison

    run_a, run_b = Path(args.run_a), Path(args.run_b)
    if args.csv:
        inputs = tuple(d / f for d in (run_a, run_b) for f in (METRICS, MANIFEST))
        check_new_file(Path(args.csv), "--csv", inputs, args.force)
    report_dir = None
    if args.report is not None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        default = Path("results") / f"compare-{run_a.name}-vs-{run_b.name}-{stamp}"
        report_dir = Path(args.report) if args.report else default
        if report_dir.exists() and any(report_dir.glob("compare.*")) and not args.force:
            raise ConfigError(
                [
                    Problem(
                        "--report",
                        "",
                        str(report_dir),
                        "a folder without a compare report (or --force to replace it)",
                    )
                ]
            )
    result = compare_runs(run_a, run_b, args.scenario or (), args.metric or (), args.group or ())
    print(format_comparison(result, every_dimension=args.all))
    if args.csv:
        replace_file(Path(args.csv), lambda p: result.table.to_csv(p, index=False))
        print(f"\nEvery dimension, full precision: {args.csv}")
    if report_dir is not None:
        from allocsim.reports.compare_report import write_compare_report

        paths = write_compare_report(result, report_dir, lang=args.lang)
        print()
        for kind, path in paths.items():
            print(f"{kind:8} {path}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from allocsim.reports.report import write_report

    paths = write_report(Path(args.run_dir), lang=args.lang)
    for kind, path in paths.items():
        if "." in kind or kind == "csv":
            print(f"{kind:8} {path}")
    return 0


def cmd_calibrate(args: argparse.Namespace) -> int:
    from allocsim.calibrate import load_calibration, run_calibration

    spec = load_calibration(args.spec)
    out = Path(args.out) if args.out else Path("calibration") / spec.name
    report, best, cal = run_calibration(
        spec, out, executor=args.executor, workers=args.workers, command=command_line(args)
    )
    for p, v in zip(spec.parameters, best, strict=True):
        print(f"{p.name:24} {v:.5g}")
    print()
    print(report.drop(columns=["source"]).to_string(index=False, float_format=number))
    print(f"\n{len(cal.history)} evaluations. Fit report and fitted configs in {out}/")
    return 0 if bool(report["within_tolerance"].all()) else 1


def cmd_check_fit(args: argparse.Namespace) -> int:
    from allocsim.calibrate import check_fit

    table = check_fit(Path(args.run_dir), Path(args.targets), args.tolerance)
    print(table.to_string(index=False, float_format=number))
    n_out = int((~table["within"]).sum())
    print(f"\n{len(table) - n_out} of {len(table)} targets within tolerance")
    return 0 if n_out == 0 else 1


def cmd_check_steady(args: argparse.Namespace) -> int:
    from allocsim.steady import check_steady

    cfg = _load(args)
    treatment = load_config(args.treatment, list(args.set or [])) if args.treatment else None
    if args.scale != 1.0:
        cfg = scaled(cfg, args.scale)
        treatment = scaled(treatment, args.scale) if treatment is not None else None
    checks = check_steady(
        cfg,
        treatment,
        years=args.years,
        replications=args.replications,
        warmup_replications=args.warmup_replications,
        burnins=args.burnins,
        margin=args.margin,
        metric=args.metric,
        workers=args.workers,
        with_stationarity=not args.skip_stationarity,
    )
    ok = True
    for name, heading, run in checks:
        print(f"{name.capitalize()}: {heading}", flush=True)
        result = run()
        print(result.table.to_string(float_format=lambda v: f"{v:,.4g}", index=False))
        print(f"{name}:", "PASS" if result.passed else "FAIL", "\n")
        ok &= result.passed
    return 0 if ok else 1


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's help ends with its default, unless it has none (None, an off flag)
    or the help already says it."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if action.default is None or action.default is False or "default" in text:
            return text
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """The top-level parser; `add_subparsers` makes every subcommand's parser one too, so
    each shows its defaults."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


EXCEL_HELP = "write as Dutch Excel saves it: UTF-8 with BOM, semicolons, decimal commas"


def subcommand_parsers() -> dict[str, argparse.ArgumentParser]:
    """Each subcommand's parser, by name."""
    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def build_parser() -> argparse.ArgumentParser:
    from allocsim import package_version

    parser = Parser(prog="allocsim", description=__doc__)
    parser.add_argument(
        "--version",
        action="version",
        version=f"allocsim {package_version()}",
        help="print the version and exit",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the full trace of an internal error"
    )
    sub = parser.add_subparsers(
        dest="command",
        required=True,
        metavar="COMMAND",
        help="what to do (`allocsim COMMAND -h` lists its options)",
    )

    # Option sets shared by several commands, declared once.
    def with_config(p: argparse.ArgumentParser) -> None:
        p.add_argument("config", help="scenario TOML file")
        p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a setting")

    def with_executor(p: argparse.ArgumentParser, what: str, address: bool = True) -> None:
        p.add_argument(
            "--executor",
            choices=["serial", "processes", "dask"],
            default="processes",
            help=f"where {what} run (dask needs pip install 'allocsim[dask]')",
        )
        if address:
            p.add_argument(
                "--workers", type=positive_int, help="workers (default: all local cores)"
            )
            p.add_argument(
                "--address", help="Dask scheduler, e.g. tcp://host:8786 (default: local cluster)"
            )

    def with_output(p: argparse.ArgumentParser, what: str) -> None:
        p.add_argument("--seed", type=seed_type, help="root seed (overrides the spec)")
        p.add_argument("--out", help=f"{what} (default results/<name>-<time>)")
        p.add_argument("--resume", action="store_true", help="continue an interrupted run in --out")

    def with_label(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--label",
            help="a name for this run, shown under the report's title and kept in the manifest",
        )

    def with_quiet(p: argparse.ArgumentParser) -> None:
        p.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def with_lang(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--lang",
            choices=["en", "nl"],
            help="report language (default: both, as report.en.* and report.nl.*)",
        )

    p = sub.add_parser("run", help="run a scenario and write a run folder")
    with_config(p)
    p.add_argument("--seed", type=seed_type, help="root seed (overrides run.seed)")
    p.add_argument(
        "--replications", type=positive_int, help="replications (overrides run.replications)"
    )
    p.add_argument("--out", help="run folder to create (default results/<name>-<time>)")
    p.add_argument("--excel", action="store_true", help=f"summary.csv: {EXCEL_HELP}")
    with_label(p)
    with_quiet(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("experiment", help="run an experiment spec (scenarios x replications)")
    p.add_argument("spec", help="experiment TOML file")
    with_executor(p, "replications")
    p.add_argument(
        "--replications", type=positive_int, help="fixed replications (overrides the spec)"
    )
    with_output(p, "run folder")
    p.add_argument("--keep-records", action="store_true", help="also keep the record tables")
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a setting in every scenario (after the spec's own)",
    )
    p.add_argument(
        "--excel", action="store_true", help=f"summary.csv and comparison.csv: {EXCEL_HELP}"
    )
    with_label(p)
    with_quiet(p)
    p.add_argument("--report", action="store_true", help="write the report when done")
    with_lang(p)
    p.set_defaults(func=cmd_experiment)

    p = sub.add_parser(
        "explore",
        help="which review conclusions hold across the uncertain assumptions (explore spec)",
    )
    p.add_argument("spec", help="explore TOML file (experiments/*-explore.toml)")
    p.add_argument(
        "--points", type=positive_int, help="points of the uncertainty space (overrides the spec)"
    )
    p.add_argument(
        "--replications", type=positive_int, help="replications per point (overrides the spec)"
    )
    with_executor(p, "points")
    with_output(p, "output folder")
    with_quiet(p)
    with_lang(p)
    p.set_defaults(func=cmd_explore)

    p = sub.add_parser(
        "compare",
        help="B minus A: two finished runs over the same window, per scenario, group and metric",
        description="Compare two finished run or experiment folders: B minus A with its 95% "
        "interval, paired replication by replication when root seed, window, burn-in and "
        "replication numbers match, otherwise Welch's. Runs over different windows are refused.",
    )
    p.add_argument("run_a", metavar="RUN_A", help="run or experiment folder A")
    p.add_argument("run_b", metavar="RUN_B", help="run or experiment folder B (shown as B - A)")
    p.add_argument(
        "--scenario",
        action="append",
        metavar="LABEL|A_LABEL:B_LABEL",
        help="scenario to compare: a label both runs have, or A's label:B's label; repeatable "
        "(default: every label both runs have, or the only scenario of each)",
    )
    p.add_argument(
        "--metric",
        action="append",
        metavar="NAME",
        help="only this metric, e.g. success_rate or lettings; repeatable (default: every metric)",
    )
    p.add_argument(
        "--group",
        action="append",
        metavar="NAME",
        help="only this group, e.g. starter_18_27; repeatable (default: every group)",
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="print every dimension (municipality, village, channel, periods, quotas) "
        "(default: only dimension 'all')",
    )
    p.add_argument(
        "--csv",
        metavar="FILE",
        help="also write the compared rows of every dimension at full precision, with a "
        "'paired' column (default: no file)",
    )
    p.add_argument(
        "--report",
        nargs="?",
        const="",
        metavar="DIR",
        help="also write the comparison's report (compare.<lang>.html, .md, .xlsx: the "
        "settings that differ, the differences, a forest plot) into DIR (default "
        "results/compare-<A>-vs-<B>-<time>)",
    )
    with_lang(p)
    p.add_argument("--force", action="store_true", help="replace an existing --csv file or report")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("report", help="write the HTML, Markdown and Excel report of a run")
    p.add_argument("run_dir", help="run or experiment folder")
    with_lang(p)
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("calibrate", help="fit behavioural parameters to observed figures")
    p.add_argument("spec", help="calibration TOML file")
    p.add_argument("--out", help="output folder (default calibration/<name>)")
    with_executor(p, "the simulations", address=False)
    p.add_argument("--workers", type=positive_int, default=2, help="workers")
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("check-fit", help="compare a run's metrics with observed figures")
    p.add_argument("run_dir", help="run or experiment folder")
    p.add_argument("targets", help="CSV with columns metric, observed (name, scenario, tolerance)")
    p.add_argument(
        "--tolerance",
        type=share_type,
        default=0.10,
        help="relative tolerance for targets without their own",
    )
    p.set_defaults(func=cmd_check_fit)

    p = sub.add_parser(
        "check-steady",
        help="check that figures do not drift and do not depend on the burn-in's length",
    )
    with_config(p)
    p.add_argument("--years", type=positive_int, default=20, help="years of the drift run")
    p.add_argument(
        "--replications", type=positive_int, default=10, help="replications of the drift run"
    )
    p.add_argument(
        "--warmup-replications",
        type=positive_int,
        default=20,
        help="replications per burn-in length",
    )
    p.add_argument(
        "--burnins",
        type=burnins_type,
        help="two burn-in lengths in years, e.g. 10,20 (default: the config's B and 2B)",
    )
    p.add_argument("--treatment", help="a second scenario: its effect must not move either")
    p.add_argument(
        "--metric",
        default="all/all/starter_18_27/success_rate",
        help="the treatment's headline metric (dimension/level/group/metric)",
    )
    p.add_argument("--margin", type=share_type, default=0.05, help="relative margin")
    p.add_argument("--workers", type=positive_int, default=2, help="processes")
    p.add_argument("--skip-stationarity", action="store_true", help="only the warm-up check")
    p.add_argument(
        "--scale",
        type=scale_type,
        default=1.0,
        help="check the same world scaled by this factor (homes and flows; rates per home "
        "stay), e.g. 0.1 for the region",
    )
    p.set_defaults(func=cmd_check_steady)

    p = sub.add_parser(
        "validate",
        help="check a scenario config, or an experiment, exploration, calibration or "
        "uncertainty spec, without simulating",
    )
    p.add_argument("config", help="scenario, experiment, exploration or calibration TOML file")
    p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a setting")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("export-stock", help="write a scenario's stock as CSV (a template)")
    with_config(p)
    p.add_argument("csv", help="CSV file to write")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.add_argument("--excel", action="store_true", help=EXCEL_HELP)
    p.set_defaults(func=cmd_export_stock)

    p = sub.add_parser(
        "export-seekers",
        help="write a stationary waiting list of the scenario as CSV (the template for your own)",
    )
    with_config(p)
    p.add_argument("csv", help="CSV file to write")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.add_argument("--excel", action="store_true", help=EXCEL_HELP)
    p.set_defaults(func=cmd_export_seekers)

    p = sub.add_parser("columns", help="print the record tables' columns (Markdown)")
    p.set_defaults(func=cmd_columns)
    p = sub.add_parser("config-reference", help="print every setting with its default and source")
    p.set_defaults(func=cmd_config_reference)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """The one error boundary: every expected failure becomes one line and an exit code
    (allocsim.errors); a traceback only for a bug, and then behind --debug."""
    args = build_parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)  # SIGTERM behaves like Ctrl-C
    try:
        return int(args.func(args))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    except EnvironmentProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader stopped reading (`allocsim columns | head`): not an error here.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        print(f"error: {os_problem(exc)}", file=sys.stderr)
        return EXIT_ENVIRONMENT
    except Exception as exc:  # a bug: say so in one line; the trace behind --debug
        if args.debug:
            traceback.print_exc()
        print(
            f"internal error: {type(exc).__name__}: {exc}. This is a bug in allocsim; "
            "please report it with the command you ran"
            + ("." if args.debug else " (rerun with --debug for the full trace)."),
            file=sys.stderr,
        )
        return EXIT_BUG


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def bounded(convert: type[int] | type[float], low: float, high: float, what: str) -> Any:
    """An argparse type: `convert(text)` within [low, high] (nan is never within), or a
    one-line refusal saying what the option takes."""
    noun = "a whole number" if convert is int else "a number"

    def parse(text: str) -> int | float:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} must be {what}")
        return value

    return parse


_TINY = math.nextafter(0.0, 1.0)
seed_type = bounded(int, 0, math.inf, "0 or more")
positive_int = bounded(int, 1, math.inf, "at least 1")
share_type = bounded(float, _TINY, math.nextafter(1.0, 0.0), "between 0 and 1")
scale_type = bounded(float, 0.01, 10.0, "a factor from 0.01 to 10")


def burnins_type(text: str) -> tuple[float, float]:
    """An argparse type: two burn-in lengths in years, "10,20"."""
    try:
        short, long = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not two burn-in lengths in years, e.g. 10,20"
        ) from None
    if not (0 <= short < math.inf and 0 <= long < math.inf):
        raise argparse.ArgumentTypeError(f"{text!r}: burn-in lengths are 0 years or more")
    return short, long


if __name__ == "__main__":
    sys.exit(main())
