# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Items g and h (issue 14), qLibra added to a firm that already logs its time
(README.md next to this file); ``measure_adoption()`` is the entry point."""

import os
import re
import subprocess
import sys
import tempfile
import time

from build_data import MODULES, contract_lines, ensure_plain_database
from common import (
    ADDONS,
    Step,
    add_row,
    drop_db,
    log,
    module_state,
    odoo_registry,
    pg_value,
    release,
    run_interleaved,
    superuser_env,
)

from odoo.tools import SQL


def measure_adoption(lines, args, figures, rows):
    plain, adopted = f"qlibra_bench_plain_{lines}", f"qlibra_bench_adopt_{lines}"
    figures["adoption_lines"] = lines
    ensure_plain_database(plain, lines, args)
    log(f"g. installing {','.join(MODULES)} on a copy of {plain}")
    started = time.perf_counter()
    drop_db(adopted, copy_of=plain)
    log(f"  {adopted} copied from {plain} in {time.perf_counter() - started:.0f} s")
    try:
        measure_install(adopted, figures, rows)
        measure_contract(adopted, lines, args, figures, rows)
    finally:
        release(adopted)
        drop_db(adopted)


def measure_install(dbname, figures, rows):
    """One run: the child's wall time and peak RSS (its rusage, from wait4)."""
    cmd = [sys.executable, "-m", "odoo", f"--addons-path={ADDONS}", "-d", dbname]
    cmd += ["-i", ",".join(MODULES), "--stop-after-init", "--log-level=info"]
    cmd += ["--without-demo=all"]
    log("  $ " + " ".join(cmd))
    with tempfile.TemporaryFile(mode="w+") as output:
        started = time.perf_counter()
        process = subprocess.Popen(cmd, stdout=output, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        log_text = output.read()
    states = {module: module_state(dbname, module) for module in MODULES}
    if process.returncode or set(states.values()) != {"installed"}:
        raise SystemExit(f"Installing {MODULES} failed ({states}):\n{log_text[-4000:]}")
    peak = usage.ru_maxrss / 1024.0  # kB -> MB
    loaded = dict(re.findall(r"Module (\w+) loaded in ([0-9.]+)s", log_text))
    figures["adoption_install_seconds"] = round(elapsed, 1)
    figures["adoption_install_peak_rss_mb"] = round(peak, 1)
    modules = {m: float(loaded[m]) for m in ("report_xlsx", *MODULES) if m in loaded}
    figures["adoption_install_module_seconds"] = modules
    figures.update(check_adopted_lines(dbname))
    note = ", ".join(f"{module} {seconds:.0f} s" for module, seconds in modules.items())
    lines = figures["adoption_timesheet_lines"]
    label = f"install {'+'.join(MODULES)}"
    rows.append(("g", label, elapsed, None, peak, 1, f"{lines:,} lines; {note}"))
    log(f"  installed in {elapsed:.1f} s, peak RSS {peak:.0f} MB ({note})")


def check_adopted_lines(dbname):
    """What the installation left on the existing lines, checked in SQL."""
    figures = {
        "adoption_timesheet_lines": "SELECT count(*) FROM account_analytic_line"
        " WHERE project_id IS NOT NULL",
        # The frozen hourly cost gives Odoo's amount to the cent on every line.
        "adoption_lines_cost_mismatch": """SELECT count(*) FROM account_analytic_line
                WHERE project_id IS NOT NULL AND ABS(
                   amount + unit_amount * COALESCE(qlibra_hourly_cost, 0)) >= 0.01""",
        "adoption_lines_without_client": """SELECT count(*) FROM account_analytic_line l
                 JOIN project_project p ON p.id = l.project_id
                WHERE p.partner_id IS NOT NULL AND l.qlibra_partner_id IS NULL""",
    }
    figures = {key: pg_value(dbname, SQL(query)) for key, query in figures.items()}
    if (
        figures["adoption_lines_cost_mismatch"]
        or figures["adoption_lines_without_client"]
    ):
        log(f"  WRONG after the installation: {figures}")
    return figures


def measure_contract(dbname, lines, args, figures, rows):
    """Contract.create() + flush as the administrator, each run rolled back."""
    log("h. first contract of a client with existing lines")
    registry = odoo_registry(dbname)

    def create_contract():
        with superuser_env(registry) as superuser:
            cr = superuser.cr
            admin = superuser.ref("base.user_admin")
            env = superuser(user=admin, context={"lang": "en_US", "tz": "UTC"})
            client = env["res.partner"].search([("name", "=", "Adoption Client 001")])
            cr.execute(
                "SELECT min(date) FROM account_analytic_line WHERE partner_id = %s",
                [client.id],
            )
            vals = {"partner_id": client.id, "contract_type": "hourly"}
            vals.update(hourly_rate=95.0, date_start=cr.fetchone()[0], user_id=admin.id)
            env.invalidate_all()
            count, begin = cr.sql_log_count, time.perf_counter()
            contract = env["qlibra.contract"].create(vals)
            env.flush_all()
            result = {"seconds": time.perf_counter() - begin}
            result["queries"] = cr.sql_log_count - count
            cr.execute(
                """SELECT count(*), COALESCE(sum(qlibra_revenue), 0)
                          - 95 * COALESCE(sum(unit_amount), 0)
                     FROM account_analytic_line WHERE qlibra_contract_id = %s""",
                [contract.id],
            )
            result["covered"], result["revenue_gap"] = cr.fetchone()
            cr.rollback()
        return result

    step = Step("contract", "first contract: create() + flush", create_contract, True)
    with superuser_env(registry) as env:
        run_interleaved(env, [step], args.runs, args.budget)
    expected, covered = contract_lines(lines), step.result["covered"]
    revenue_gap = float(step.result["revenue_gap"])
    growths = [growth for growth in step.values(3) if growth is not None]
    growth = round(max(growths), 1) if growths else None
    figures.update(contract_lines_expected=expected, contract_lines_covered=covered)
    figures.update(contract_revenue_gap=revenue_gap, contract_rss_growth_mb=growth)
    if covered != expected or abs(revenue_gap) > 0.005:
        log(f"  WRONG: the contract covers {covered} lines, expected {expected}")
    note = f"covers {covered:,} existing lines, RSS +{growth or 0:.0f} MB"
    add_row(rows, figures, "h", step, note)
    del figures["contract_s"]
    figures["contract_seconds"] = round(step.seconds, 3)
