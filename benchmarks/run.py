#!/usr/bin/env python3
# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Benchmarks of qLibra Task at scale, side by side with Odoo's own equivalents
(README.md next to this file): the table, the targets, then one JSON line."""

import argparse
import json
import operator
import sys

from adoption import measure_adoption
from build_data import ensure_database
from logging_load import measure_logging
from measure import measure_all

# Set at 1,000,000 lines, checked at any scale as an early warning.
TARGETS = {
    "ratio_pivot_vs_odoo": ("<=", 1.0),
    "kpi_queries_100": ("==", "kpi_queries_300"),
    "ratio_pdf_vs_odoo": ("<=", 1.3),
    "ratio_xlsx_vs_bare": (">=", 0.5),
    "cron_seconds": ("<=", 10.0),
    "adoption_install_seconds": ("<=", 300.0),
    "contract_seconds": ("<=", 10.0),
    "ratio_logging_vs_odoo": (">=", 0.9),
}


def check_targets(figures):
    compare = {"<=": operator.le, ">=": operator.ge, "==": operator.eq}
    results = {}
    for key, (op, bound) in TARGETS.items():
        value, bound = figures.get(key), figures.get(bound, bound)
        missing = value is None or bound is None
        results[key] = None if missing else compare[op](value, bound)
    return results


def print_table(figures, rows):
    # The table is this script's output. pylint: disable=print-used
    lines, db, rss = (
        figures["timesheet_lines"],
        figures["database"],
        figures["rss_method"],
    )
    print(f"\nqLibra benchmark: {lines:,} timesheet lines in {db} ({rss})")
    header = f"{'':2} {'step':52} {'median s':>10} {'queries':>8} "
    header += f"{'peak RSS MB':>12} {'runs':>5}  note"
    print(header + "\n" + "-" * len(header))
    for item, label, seconds, queries, peak, runs, note in rows:
        seconds = f"{seconds:10.3f}" if seconds is not None else f"{'-':>10}"
        peak = f"{peak:12.0f}" if peak is not None else f"{'-':>12}"
        queries = "-" if queries is None else str(queries)
        print(f"{item:2} {label:52} {seconds} {queries:>8} {peak} {runs:>5}  {note}")
    for key, reason in figures["skipped"].items():
        print(f"   {key}: skipped ({reason})")
    print("\nTargets (issues 6, 14 and 22, set at 1,000,000 lines):")
    for key, met in figures["targets"].items():
        op, bound = TARGETS[key]
        state = {True: "met", False: "MISSED", None: "not measured"}[met]
        print(f"  {key} = {figures.get(key)} (target {op} {bound}): {state}")


def main():
    # pylint: disable=print-used
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    option = parser.add_argument
    option("--lines", type=int, default=1_000_000, help="timesheet lines")
    option("--runs", type=int, default=5, help="measured runs per step")
    option("--budget", type=float, default=600.0, help="seconds of runs per item")
    option("--db", help="database name (default qlibra_bench_<lines>)")
    option("--rebuild", action="store_true", help="rebuild the databases")
    option("--no-update", action="store_true", help="reuse without -u of the add-ons")
    option("--batch", type=int, default=250_000, help="lines per insert")
    option("--no-adoption", action="store_true", help="skip items g, h and i")
    option("--no-logging", action="store_true", help="skip item i")
    args = parser.parse_args()
    dbname = args.db or f"qlibra_bench_{args.lines}"
    built = ensure_database(dbname, args)
    figures, rows = measure_all(dbname, args)
    figures["database_built_now"] = built
    if args.no_adoption:
        figures["skipped"]["adoption"] = "--no-adoption"
    else:
        measure_adoption(args.lines, args, figures, rows)
    if args.no_logging or args.no_adoption:
        figures["skipped"]["logging"] = "--no-logging or --no-adoption"
    else:
        measure_logging(dbname, f"qlibra_bench_plain_{args.lines}", args, figures, rows)
    figures["targets"] = check_targets(figures)
    print_table(figures, rows)
    sys.stdout.flush()
    print(json.dumps(figures, default=str, sort_keys=True))


if __name__ == "__main__":
    main()
