# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Items a-e (README.md next to this file); ``measure_all()`` is the entry point."""

import io
import json
import re
from functools import partial

from common import (
    Step,
    add_row,
    log,
    odoo_registry,
    ratio,
    reset_peak_rss,
    run_interleaved,
    superuser_env,
)
from dateutil.relativedelta import relativedelta

XLSX_TARGET_LINES = 100_000
PDF_REPORT = "qlibra_task_reports.action_report_client_statement"
XLSX_REPORT = "qlibra_task_reports.action_report_client_statement_xlsx"


def measure_all(dbname, args):
    registry = odoo_registry(dbname)
    figures = {"lines": args.lines, "database": dbname, "runs": args.runs}
    skipped = {}
    rows = []  # (item, label, seconds, queries, peak MB, note)
    with superuser_env(registry) as superuser:
        cr = superuser.cr
        admin = superuser.ref("base.user_admin").id
        env = superuser(user=admin, context={"lang": "en_US", "tz": "UTC"})
        cr.execute("SELECT count(*) FROM account_analytic_line WHERE project_id > 0")
        figures["timesheet_lines"] = cr.fetchone()[0]
        verified = env["ir.config_parameter"].sudo().get_param("qlibra_bench.verified")
        figures.update(json.loads(verified or "{}"))
        rss = "VmHWM after clear_refs=5" if reset_peak_rss() else "ru_maxrss (lifetime)"
        figures["rss_method"] = rss
        measure_pivot(env, args, figures, rows)
        measure_partner_figures(env, args, figures, rows)
        for title, key, xmlid, measure in (
            ("c. statement PDF", "pdf", PDF_REPORT, measure_pdf),
            ("d. statement XLSX", "xlsx", XLSX_REPORT, measure_xlsx),
        ):
            log(title)
            if env.ref(xmlid, raise_if_not_found=False):
                measure(env, xmlid, args, figures, rows)
            else:
                skip(skipped, key, f"{xmlid} does not exist in this database")
        cr.rollback()
    measure_cron(registry, args, figures, rows, skipped)
    figures["skipped"] = skipped
    return figures, rows


def measure_pivot(env, args, figures, rows):
    log("a. pivot read")
    cr, groupby = env.cr, ["partner_id", "date:month"]
    measures = ["hours:sum", "cost:sum", "revenue:sum", "margin:sum"]
    Report = env["qlibra.profitability.report"]
    Odoo, sums = env["timesheets.analysis.report"], ["unit_amount:sum", "amount:sum"]

    def bare():
        cr.execute(
            """SELECT partner_id, date_trunc('month', date),
                      sum(unit_amount), sum(amount)
                 FROM account_analytic_line WHERE project_id IS NOT NULL
             GROUP BY 1, 2"""
        )
        return cr.fetchall()

    ours = partial(Report.read_group, [], measures, groupby, lazy=False)
    odoo = partial(Odoo.read_group, [], sums, groupby, lazy=False)
    steps = [
        Step("pivot_qlibra", "read_group qlibra.profitability.report", ours),
        Step("pivot_odoo", "read_group timesheets.analysis.report", odoo),
        Step("pivot_sql", "bare SQL aggregate", bare),
    ]
    run_interleaved(env, steps, args.runs, args.budget)
    # The analysis reads the lines; only subscriptions' months are stored.
    cr.execute("SELECT count(*) FROM qlibra_contract_month")
    figures["contract_month_rows"] = cr.fetchone()[0]
    for step in steps:
        add_row(rows, figures, "a", step, f"{len(step.result):,} cells")
    ours, odoo, sql = (step.seconds for step in steps)
    figures["ratio_pivot_vs_odoo"] = ratio(ours, odoo)
    figures["ratio_pivot_vs_sql"] = ratio(ours, sql)
    figures["ratio_odoo_pivot_vs_sql"] = ratio(odoo, sql)


def measure_partner_figures(env, args, figures, rows):
    log("b. client figures")
    Partner = env["res.partner"]
    compute = "_compute_qlibra_figures"
    fields_ = [name for name, f in Partner._fields.items() if f.compute == compute]
    figures["kpi_fields"] = len(fields_)
    clients = Partner.search([("name", "=like", "Bench Client %")], order="id")
    steps = []
    for count in (100, 300):
        read = clients[:count].read
        label = f"client figures, {count} clients ({len(fields_)} fields)"
        steps.append(Step(f"kpi_{count}", label, partial(read, fields_)))
        names = Step(
            f"names_{count}", f"names, {count} clients", partial(read, ["name"])
        )
        steps.append(names)
    run_interleaved(env, steps, args.runs, args.budget)
    for step in steps:
        add_row(rows, figures, "b", step, "")
        kind, count = step.key.split("_")  # kpi_queries_100, not kpi_100_queries
        figures[f"{kind}_queries_{count}"] = figures.pop(f"{step.key}_queries")


def skip(skipped, key, reason):
    skipped[key] = reason
    log(f"  skipped: {reason}")


def measure_pdf(env, xmlid, args, figures, rows):
    cr = env.cr
    cr.execute(
        """SELECT qlibra_partner_id, date_trunc('month', date)::date, count(*)
             FROM account_analytic_line
            WHERE project_id IS NOT NULL AND qlibra_partner_id IS NOT NULL
         GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 1"""
    )
    partner_id, month, count = cr.fetchone()  # the busiest client-month
    month_end = month + relativedelta(months=1, days=-1)
    cr.execute(
        """SELECT id FROM account_analytic_line
            WHERE qlibra_partner_id = %s AND project_id IS NOT NULL
              AND date BETWEEN %s AND %s ORDER BY date, id""",
        [partner_id, month, month_end],
    )
    line_ids = [row[0] for row in cr.fetchall()]
    data = {"date_from": str(month), "date_to": str(month_end)}
    render = env["ir.actions.report"]._render_qweb_pdf
    ours = partial(render, xmlid, [partner_id], data=data)
    odoo = partial(render, "hr_timesheet.timesheet_report", line_ids)
    steps = [
        Step("pdf_qlibra", "statement PDF (qlibra_task_reports)", ours),
        Step("pdf_odoo", "timesheet PDF (hr_timesheet.timesheet_report)", odoo),
    ]
    run_interleaved(env, steps, min(args.runs, 3), args.budget)
    for step in steps:
        pages = len(re.findall(rb"/Type\s*/Page[^s]", step.result[0]))
        add_row(rows, figures, "c", step, f"{count:,} lines, {pages} pages")
        figures[f"{step.key}_pages"] = pages
    figures.update(pdf_lines=count, pdf_month=str(month))
    figures["ratio_pdf_vs_odoo"] = ratio(steps[0].seconds, steps[1].seconds)


def xlsx_selection(cr, target):
    """Busiest clients and the last whole months that hold about target lines."""
    cr.execute(
        """SELECT qlibra_partner_id, count(*) FROM account_analytic_line
            WHERE project_id IS NOT NULL AND qlibra_partner_id IS NOT NULL
         GROUP BY 1 ORDER BY 2 DESC, 1"""
    )
    partners, total = [], 0
    for partner_id, count in cr.fetchall():
        partners.append(partner_id)
        total += count
        if total >= target:
            break
    cr.execute(
        """SELECT date_trunc('month', date)::date, count(*)
             FROM account_analytic_line
            WHERE project_id IS NOT NULL AND qlibra_partner_id = ANY(%s)
         GROUP BY 1 ORDER BY 1 DESC""",
        [partners],
    )
    months, total = cr.fetchall(), 0
    for date_from, count in months:  # noqa: B007 (kept: else the oldest)
        total += count
        if total >= target:
            break
    date_to = months[0][0] + relativedelta(months=1, days=-1)
    return partners, date_from, date_to, total


def measure_xlsx(env, xmlid, args, figures, rows):
    import xlsxwriter

    cr = env.cr
    target = min(XLSX_TARGET_LINES, figures["timesheet_lines"])
    partners, date_from, date_to, count = xlsx_selection(cr, target)
    data = {"date_from": str(date_from), "date_to": str(date_to)}
    render = env["ir.actions.report"]._render_xlsx

    def bare():
        cr.execute(
            """SELECT aal.qlibra_partner_id, aal.date, COALESCE(c.name, ''),
                      COALESCE(p.name->>'en_US', ''), COALESCE(t.name, ''),
                      COALESCE(e.name, ''), aal.name, aal.unit_amount,
                      aal.qlibra_is_change_request
                 FROM account_analytic_line aal
                 JOIN project_project p ON p.id = aal.project_id
            LEFT JOIN project_task t ON t.id = aal.task_id
            LEFT JOIN hr_employee e ON e.id = aal.employee_id
            LEFT JOIN qlibra_contract c ON c.id = aal.qlibra_contract_id
                WHERE aal.qlibra_partner_id = ANY(%s)
                  AND aal.date BETWEEN %s AND %s
             ORDER BY aal.qlibra_partner_id, aal.date, aal.id""",
            [partners, date_from, date_to],
        )
        return write_bare_xlsx(xlsxwriter, cr.fetchall())

    ours = partial(render, xmlid, partners, data)
    steps = [
        Step("xlsx_qlibra", "statement XLSX (qlibra_task_reports)", ours),
        Step("xlsx_bare", "bare SQL + xlsxwriter, same rows", bare),
    ]
    run_interleaved(env, steps, min(args.runs, 3), args.budget)
    for step in steps:
        rate = count / step.seconds if step.seconds else None
        figures[f"{step.key}_rows_per_s"] = round(rate) if rate else None
        add_row(rows, figures, "d", step, f"{count:,} lines, {rate:,.0f} rows/s")
    figures.update(xlsx_lines=count, xlsx_clients=len(partners))
    figures["ratio_xlsx_vs_bare"] = ratio(steps[1].seconds, steps[0].seconds)


def write_bare_xlsx(xlsxwriter, records):
    """The statement's line table, written with xlsxwriter directly."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    hours_format = workbook.add_format({"num_format": "#,##0.00"})
    header_format = workbook.add_format({"bold": True})
    headers = ("Date", "Contract", "Project", "Task", "Employee", "Description")
    headers += ("Hours", "Change-request Hours")
    sheet, row, current, first = None, 0, None, 0

    def close(sheet, row, first):
        if sheet is not None:
            sheet.write_formula(row, 6, f"=SUM(G{first + 1}:G{row})", hours_format)
            sheet.write_formula(row, 7, f"=SUM(H{first + 1}:H{row})", hours_format)

    for partner_id, day, *texts, hours, is_cr in records:
        if partner_id != current:
            close(sheet, row, first)
            sheet = workbook.add_worksheet(f"Client {partner_id}")
            for col, header in enumerate(headers):
                sheet.write_string(5, col, header, header_format)
            row, first, current = 6, 6, partner_id
        sheet.write_datetime(row, 0, day, date_format)
        for col, text in enumerate(texts, start=1):
            sheet.write_string(row, col, text)
        sheet.write_number(row, 6, hours, hours_format)
        sheet.write_number(row, 7, hours if is_cr else 0.0, hours_format)
        row += 1
    close(sheet, row, first)
    workbook.close()
    return output.getvalue()


def measure_cron(registry, args, figures, rows, skipped):
    log("e. warning action")
    with superuser_env(registry) as env:
        if not hasattr(env["qlibra.contract"], "_cron_raise_warnings"):
            skip(skipped, "cron", "qlibra.contract._cron_raise_warnings does not exist")
            return
        env.cr.execute("SELECT count(*) FROM qlibra_contract WHERE active")
        figures["cron_contracts"] = env.cr.fetchone()[0]

    def cron():
        # each run rolled back: every run raises the same warnings
        with superuser_env(registry) as cron_env:
            queries = cron_env.cr.sql_log_count
            warnings = cron_env["qlibra.contract"]._cron_raise_warnings()
            cron_env.flush_all()
            queries = cron_env.cr.sql_log_count - queries
            cron_env.cr.rollback()
        return {"queries": queries, "warnings": len(warnings)}

    step = Step("cron", "warning action over all clients", cron, own_cursor=True)
    with superuser_env(registry) as env:
        run_interleaved(env, [step], args.runs, args.budget)
    warnings = step.result.get("warnings")
    note = f"{warnings} warnings raised, {figures['cron_contracts']} contracts"
    add_row(rows, figures, "e", step, note)
    figures["cron_seconds"] = figures.pop("cron_s")
    figures["cron_warnings"] = warnings
