# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import drop_view_if_exists

from ..models.qlibra_contract import CONTRACT_TYPES
from ..models.qlibra_sql import without_jit
from ..models.qlibra_today import TODAY_SETTING
from ..models.qlibra_today import today as qlibra_today

MONEY_GROUP = "qlibra_task.group_qlibra_accountant"
MARGIN_GROUP = "qlibra_task.group_qlibra_manager"

# Timesheet lines summed per month and key, kept up to date by triggers.
MONTH_TABLE = "qlibra_profitability_month"
# The same lines' hours summed per contract and month only, kept by the same
# triggers: what a subscription's overage reads, a few rows per contract
# instead of the month table's every key.
CONTRACT_MONTH_TABLE = "qlibra_profitability_contract_month"
# Key columns of the month table that hold a record id (0 for none: a unique
# index treats NULLs as distinct before PostgreSQL 15).
MONTH_KEY_IDS = ("partner_id", "contract_id", "project_id", "task_id", "employee_id")

# Ratios whose pivot cell is computed from the cell's sums, never averaged.
RATIO_AGGREGATES = {
    "margin_percent:avg": ("margin", "revenue", 100.0),
    "effective_rate:avg": ("revenue", "hours", 1.0),
}


class QlibraProfitabilityReport(models.Model):
    """Hours, cost and revenue per client and month.

    Rows of time: the timesheet lines summed per month, company, client,
    contract, project, task and employee (the table MONTH_TABLE, kept up to
    date by PostgreSQL triggers on account_analytic_line, so the analysis
    reads a fraction of the lines). Rows of revenue that no line carries: a
    subscription's monthly fee, its overage for a month, and the price of a
    fixed-price task on the month it was done. Summing any column over any
    grouping therefore gives the right total.
    """

    _name = "qlibra.profitability.report"
    _description = "Client Profitability Analysis"
    _auto = False
    _order = "date desc, partner_id"
    _rec_name = "partner_id"

    date = fields.Date(string="Month", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="The company's currency: revenue, cost and margin are in it.",
    )
    contract_currency_id = fields.Many2one(
        "res.currency",
        readonly=True,
        help="The currency of the contract's fees and rates (the company's "
        "for time without contract).",
    )
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    contract_id = fields.Many2one("qlibra.contract", readonly=True)
    contract_type = fields.Selection(
        [*CONTRACT_TYPES, ("none", "No Contract")],
        readonly=True,
    )
    is_internal = fields.Boolean(
        string="Internal",
        readonly=True,
        help="Time on projects without a client or for one of the firm's own "
        "companies: a cost of the firm, apart from its clients.",
    )
    row_type = fields.Selection(
        [
            ("time", "Time"),
            ("fee", "Subscription Fee"),
            ("overage", "Overage"),
            ("fixed_price", "Fixed Price Delivered"),
        ],
        string="Line Type",
        readonly=True,
    )
    project_id = fields.Many2one("project.project", readonly=True)
    task_id = fields.Many2one("project.task", readonly=True)
    employee_id = fields.Many2one("hr.employee", readonly=True)
    hours = fields.Float(readonly=True)
    included_hours = fields.Float(
        readonly=True,
        help="Hours the subscriptions include in the month, pro rata by days "
        "in a partial month (on the rows of their fees).",
    )
    carried_hours = fields.Float(
        readonly=True,
        help="Unused included hours of earlier months still usable at the "
        "start of the month, for subscriptions whose hours roll over (on the "
        "rows of their fees).",
    )
    used_carried_hours = fields.Float(
        string="Carried Hours Used",
        readonly=True,
        help="Hours above the month's included hours that carried hours "
        "covered, so that they are not overage.",
    )
    expired_hours = fields.Float(
        string="Expired Carried Hours",
        readonly=True,
        help="Carried hours left unused at the end of the last month they "
        "could be used in.",
    )
    change_request_hours = fields.Float(string="Change-request Hours", readonly=True)
    uncosted_hours = fields.Float(
        string="Hours Without Cost",
        readonly=True,
        groups=MARGIN_GROUP,
        help="Hours logged by employees who had no hourly cost.",
    )
    cost = fields.Monetary(readonly=True, groups=MARGIN_GROUP)
    revenue = fields.Monetary(
        readonly=True,
        groups=MONEY_GROUP,
        help="In the company's currency: the revenue of a contract in another "
        "currency is converted at Odoo's rate of the row's month (its first "
        "day).",
    )
    contract_revenue = fields.Monetary(
        string="Revenue in Contract Currency",
        currency_field="contract_currency_id",
        readonly=True,
        # Never summed across rows of different currencies by a pivot.
        aggregator=None,
        groups=MONEY_GROUP,
        help="The revenue as the client is billed it, in the contract's currency.",
    )
    margin = fields.Monetary(readonly=True, groups=MARGIN_GROUP)
    margin_percent = fields.Float(
        string="Margin (%)",
        readonly=True,
        aggregator="avg",
        groups=MARGIN_GROUP,
        help="Margin / revenue of the cell's sums; empty without revenue.",
    )
    effective_rate = fields.Monetary(
        string="Effective Hourly Rate",
        readonly=True,
        aggregator="avg",
        groups=MONEY_GROUP,
        help="Revenue / hours of the cell's sums.",
    )

    # Every branch of the UNION ALL casts its columns to these types, in this
    # order: one layout for all, and no mixed numeric/float arithmetic.
    # Revenue is in the contract's currency there (contract_revenue); the
    # view converts it to the company's (revenue, margin): see init().
    COLUMNS = (
        ("id", "bigint"),
        ("row_type", "varchar"),
        ("date", "date"),
        ("company_id", "integer"),
        ("currency_id", "integer"),
        ("contract_currency_id", "integer"),
        ("partner_id", "integer"),
        ("contract_id", "integer"),
        ("contract_type", "varchar"),
        ("project_id", "integer"),
        ("task_id", "integer"),
        ("employee_id", "integer"),
        ("hours", "float8"),
        ("included_hours", "float8"),
        ("carried_hours", "float8"),
        ("used_carried_hours", "float8"),
        ("expired_hours", "float8"),
        ("change_request_hours", "float8"),
        ("uncosted_hours", "float8"),
        ("cost", "float8"),
        ("contract_revenue", "float8"),
        # Ratios only make sense over sums: see _read_group_select().
        ("margin_percent", "float8"),
        ("effective_rate", "float8"),
    )

    @api.model
    def _query(self):
        return SQL(" UNION ALL ").join(
            [
                self._query_time(),
                self._query_fee(),
                self._query_overage(),
                self._query_fixed_price(),
            ]
        )

    @api.model
    def _branch(self, values, from_where):
        """SELECT values (a dict of column: SQL) cast to COLUMNS, FROM ..."""
        return SQL(
            "SELECT %s %s",
            SQL(", ").join(
                SQL(
                    "(%s)::%s AS %s",
                    values.get(name, SQL("NULL")),
                    SQL(sql_type),
                    SQL.identifier(name),
                )
                for name, sql_type in self.COLUMNS
            ),
            from_where,
        )

    @api.model
    def _query_time(self):
        """Time: the month table, one row per month and timesheet key.

        Its rows are changes (see _month_insert), read as they are: a key may
        have several rows until the hourly _compact_month_table() folds them,
        and their sums are right either way. Rows of a deleted employee,
        client, contract, project or task are folded at once
        (_fold_month_keys), so no row names a record that is gone."""
        return self._branch(
            {
                "id": SQL("m.id"),
                "row_type": SQL("'time'"),
                "date": SQL("m.date"),
                "company_id": SQL("m.company_id"),
                # The currency and the contract type are read from the
                # company and the contract, as the other branches do: a row
                # of changes may carry a line's values from before Odoo
                # filled them (its INSERT, then an UPDATE in the same flush),
                # which would show as a group of its own until the fold.
                "currency_id": SQL("co.currency_id"),
                "contract_currency_id": SQL("COALESCE(c.currency_id, co.currency_id)"),
                **{
                    name: SQL("NULLIF(%s, 0)", SQL.identifier("m", name))
                    for name in MONTH_KEY_IDS
                },
                "contract_type": SQL("COALESCE(c.contract_type, 'none')"),
                "hours": SQL("m.hours"),
                "included_hours": SQL("0"),
                "change_request_hours": SQL("m.change_request_hours"),
                "uncosted_hours": SQL("m.uncosted_hours"),
                "cost": SQL("m.cost"),
                "contract_revenue": SQL("m.revenue"),
            },
            SQL(
                """FROM %s m
                   JOIN res_company co ON co.id = m.company_id
                   LEFT JOIN qlibra_contract c ON c.id = m.contract_id""",
                SQL.identifier(MONTH_TABLE),
            ),
        )

    @api.model
    def _revenue_only(self, revenue):
        """Columns of a revenue row: no hours, no cost; the revenue in the
        contract's currency."""
        return {
            "hours": SQL("0"),
            "included_hours": SQL("0"),
            "change_request_hours": SQL("0"),
            "uncosted_hours": SQL("0"),
            "cost": SQL("0"),
            "contract_revenue": revenue,
        }

    @api.model
    def _query_fee(self):
        """One row per subscription and month it runs, pro rata by days.

        Months after the current one are not earned yet.
        """
        revenue = SQL(
            "COALESCE(c.monthly_fee, 0) * %s", self._month_fraction_sql("m.month_start")
        )
        return self._branch(
            {
                "id": SQL(
                    "-3 * (c.id::bigint * 100000"
                    " + EXTRACT(YEAR FROM m.month_start)::bigint * 12"
                    " + EXTRACT(MONTH FROM m.month_start)::bigint)"
                ),
                "row_type": SQL("'fee'"),
                # money of contract c (its currency) in company co
                "currency_id": SQL("co.currency_id"),
                "contract_currency_id": SQL("c.currency_id"),
                "date": SQL("m.month_start"),
                "company_id": SQL("c.company_id"),
                "partner_id": SQL("c.partner_id"),
                "contract_id": SQL("c.id"),
                "contract_type": SQL("c.contract_type"),
                **self._revenue_only(revenue),
                # the hours the fee pays for, beside it
                "included_hours": SQL(
                    "COALESCE(c.included_hours, 0) * %s",
                    self._month_fraction_sql("m.month_start"),
                ),
                # the carried-hours balance of a subscription with rollover
                # (qlibra.contract._qlibra_rollover_balances)
                "carried_hours": SQL("COALESCE(r.carried_in, 0)"),
                "used_carried_hours": SQL("COALESCE(r.used_carried, 0)"),
                "expired_hours": SQL("COALESCE(r.expired, 0)"),
            },
            SQL(
                """FROM qlibra_contract c
                   JOIN res_company co ON co.id = c.company_id
                   CROSS JOIN LATERAL (
                       SELECT gs::date AS month_start,
                              (gs + interval '1 month - 1 day')::date AS month_end
                         FROM generate_series(
                             date_trunc('month', c.date_start),
                             date_trunc('month', LEAST(
                                 COALESCE(c.date_end, %(today)s), %(today)s)),
                             interval '1 month') AS gs
                   ) m
                   LEFT JOIN qlibra_rollover_month r
                          ON r.contract_id = c.id AND r.date = m.month_start
                  WHERE c.contract_type = 'subscription'""",
                today=SQL(
                    "COALESCE(NULLIF(current_setting(%s, true), '')::date,"
                    " CURRENT_DATE)",
                    TODAY_SETTING,
                ),
            ),
        )

    @api.model
    def _month_fraction_sql(self, month_start):
        """SQL of qlibra.contract._month_fraction(): the share of the month
        starting at month_start (an SQL date expression) that contract c
        runs."""
        start = SQL(month_start)
        end = SQL("(%s + interval '1 month - 1 day')::date", start)
        # 0, never negative, in a month the contract does not run (the
        # overage reads months of time that has since moved elsewhere).
        return SQL(
            "GREATEST(0, LEAST(%(end)s, COALESCE(c.date_end, %(end)s))"
            " - GREATEST(%(start)s, c.date_start) + 1)::float8"
            " / (%(end)s - %(start)s + 1)",
            start=start,
            end=end,
        )

    @api.model
    def _query_overage(self):
        """One row per subscription and month whose hours exceed the included
        and the carried hours (qlibra_rollover_month, kept by
        qlibra.contract._qlibra_sync_rollover)."""
        return self._branch(
            {
                "id": SQL(
                    "-3 * (o.contract_id::bigint * 100000"
                    " + EXTRACT(YEAR FROM o.month)::bigint * 12"
                    " + EXTRACT(MONTH FROM o.month)::bigint) - 1"
                ),
                "row_type": SQL("'overage'"),
                # money of contract c (its currency) in company co
                "currency_id": SQL("co.currency_id"),
                "contract_currency_id": SQL("c.currency_id"),
                "date": SQL("o.month"),
                "company_id": SQL("c.company_id"),
                "partner_id": SQL("c.partner_id"),
                "contract_id": SQL("c.id"),
                "contract_type": SQL("'subscription'"),
                **self._revenue_only(SQL("o.revenue")),
            },
            SQL(
                """FROM (
                    SELECT m.date AS month, c.id AS contract_id,
                           (SUM(m.hours) - %(included)s)
                           * COALESCE(c.overage_rate, 0) AS revenue
                      FROM qlibra_profitability_contract_month m
                      JOIN qlibra_contract c ON c.id = m.contract_id
                      LEFT JOIN qlibra_rollover_month r
                             ON r.contract_id = m.contract_id AND r.date = m.date
                     WHERE c.contract_type = 'subscription'
                       AND COALESCE(c.overage_rate, 0) > 0
                  GROUP BY c.id, m.date, r.carried_in
                    HAVING SUM(m.hours) > %(included)s
                ) o
                JOIN qlibra_contract c ON c.id = o.contract_id
                JOIN res_company co ON co.id = c.company_id""",
                # included hours pro rata by days in a partial month, like the
                # fee, and the hours carried from earlier months (rollover)
                included=SQL(
                    "(c.included_hours * %s + COALESCE(r.carried_in, 0))",
                    self._month_fraction_sql("m.date"),
                ),
            ),
        )

    @api.model
    def _query_fixed_price(self):
        """One row per fixed-price task, on the month it was done."""
        return self._branch(
            {
                "id": SQL("-3 * t.id::bigint - 2"),
                "row_type": SQL("'fixed_price'"),
                # money of contract c (its currency) in company co
                "currency_id": SQL("co.currency_id"),
                "contract_currency_id": SQL("c.currency_id"),
                "date": SQL("date_trunc('month', t.qlibra_date_done)"),
                "company_id": SQL("c.company_id"),
                "partner_id": SQL("c.partner_id"),
                "contract_id": SQL("c.id"),
                "contract_type": SQL("c.contract_type"),
                "project_id": SQL("t.project_id"),
                "task_id": SQL("t.id"),
                **self._revenue_only(SQL("t.qlibra_fixed_price")),
            },
            SQL(
                """FROM project_task t
                   JOIN qlibra_contract c ON c.id = t.qlibra_contract_id
                   JOIN res_company co ON co.id = c.company_id
                  WHERE c.contract_type = 'fixed_price'
                    AND t.qlibra_date_done IS NOT NULL
                    AND t.qlibra_fixed_price > 0"""
            ),
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        # The view reads these tables directly: pending ORM writes to them
        # must reach the database before any query on the view.
        for model in ("account.analytic.line", "qlibra.contract", "project.task"):
            self.env[model].flush_model()
        # The carried hours of subscriptions with rollover, as of now.
        self.env["qlibra.contract"]._qlibra_sync_rollover()
        # The months a subscription has earned end with the user's today.
        self.env.cr.execute(
            SQL(
                "SELECT set_config(%s, %s, true)",
                TODAY_SETTING,
                fields.Date.to_string(qlibra_today(self)),
            )
        )
        return super()._search(domain, offset=offset, limit=limit, order=order)

    # The view's plans look costly enough that PostgreSQL would JIT-compile
    # them, for longer than they run (see without_jit).
    @api.model
    def _read_group(self, *args, **kwargs):
        with without_jit(self.env.cr):
            return super()._read_group(*args, **kwargs)

    @api.model
    def search_fetch(self, *args, **kwargs):
        with without_jit(self.env.cr):
            return super().search_fetch(*args, **kwargs)

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self._init_month_table()
        self.env["qlibra.contract"]._qlibra_init_rollover_table()
        self._init_currency_rate()
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (SELECT u.*, %s FROM (%s) u)",
                SQL.identifier(self._table),
                SQL(", ").join(
                    SQL("%s AS %s", value, SQL.identifier(name))
                    for name, value in self._outer_columns("u").items()
                ),
                self._query(),
            )
        )

    @api.model
    def _outer_columns(self, alias):
        """Columns the view computes from the branches' rows (alias):
        revenue and margin in the company's currency, internal or not."""
        revenue = self._company_revenue_sql(alias)
        return {
            "revenue": revenue,
            "margin": SQL("%s - %s.cost", revenue, SQL.identifier(alias)),
            "is_internal": self._is_internal_sql(f"{alias}.partner_id"),
        }

    @api.model
    def _company_revenue_sql(self, alias):
        """SQL of a row's revenue in the company's currency: its
        contract_revenue converted at the rate of the row's date, as
        res.currency._convert() would (unrounded, as Odoo's accounting
        reports convert their balances)."""
        return SQL(
            """(CASE WHEN %(row)s.contract_currency_id = %(row)s.currency_id
                       OR %(row)s.contract_revenue = 0
                     THEN %(row)s.contract_revenue
                     ELSE %(row)s.contract_revenue
                          * qlibra_currency_rate(%(row)s.currency_id,
                                                 %(row)s.company_id, %(row)s.date)
                          / qlibra_currency_rate(%(row)s.contract_currency_id,
                                                 %(row)s.company_id, %(row)s.date)
                END)""",
            row=SQL.identifier(alias),
        )

    def _init_currency_rate(self):
        """SQL function of res.currency._get_rates(): a currency's rate for
        a company on a day (the last rate of that day or before, the
        company's own before the shared ones; else its first rate; else 1)."""
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE FUNCTION qlibra_currency_rate(
                    currency integer, company integer, day date)
                RETURNS float8 LANGUAGE sql STABLE PARALLEL SAFE
                -- Called for rows in another currency only: its default cost
                -- of 100 per row made the view's plans look expensive.
                COST 1 AS $fn$
                    WITH root AS (
                        SELECT split_part(parent_path, '/', 1)::integer AS id
                          FROM res_company WHERE id = company
                    ), rates AS (
                        SELECT r.name, r.rate, r.company_id
                          FROM res_currency_rate r
                         WHERE r.currency_id = currency
                           AND (r.company_id IS NULL
                                OR r.company_id = (SELECT id FROM root))
                    )
                    SELECT COALESCE(
                        (SELECT rate FROM rates WHERE name <= day
                          ORDER BY company_id, name DESC LIMIT 1),
                        (SELECT rate FROM rates
                          ORDER BY company_id, name ASC LIMIT 1),
                        1.0)::float8
                $fn$;
                """
            )
        )

    @api.model
    def _is_internal_sql(self, partner_id):
        """Internal time: no client, or one of the firm's own companies."""
        return SQL(
            "(%(partner)s IS NULL OR %(partner)s IN "
            "(SELECT partner_id FROM res_company))",
            partner=SQL(partner_id),
        )

    @api.model
    def _month_rows(self, source, sign=""):
        """SELECT the lines of source summed per month and key.

        sign "-" gives the rows to take away (lines updated or deleted).
        """
        return SQL(
            """SELECT date_trunc('month', l.date)::date, l.company_id,
                      l.currency_id, COALESCE(l.qlibra_partner_id, 0),
                      COALESCE(l.qlibra_contract_id, 0),
                      COALESCE(l.qlibra_contract_type, 'none'),
                      COALESCE(l.project_id, 0), COALESCE(l.task_id, 0),
                      COALESCE(l.employee_id, 0),
                      %(sign)sSUM(l.unit_amount),
                      %(sign)sSUM(CASE WHEN l.qlibra_is_change_request
                                       THEN l.unit_amount ELSE 0 END),
                      %(sign)sSUM(CASE WHEN COALESCE(l.qlibra_hourly_cost, 0) = 0
                                       THEN l.unit_amount ELSE 0 END),
                      %(sign)sSUM(COALESCE(l.qlibra_cost, 0)),
                      %(sign)sSUM(COALESCE(l.qlibra_revenue, 0)),
                      %(sign)sCOUNT(*)
                 FROM %(source)s l
                WHERE l.project_id IS NOT NULL
             GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9""",
            sign=SQL(sign),
            source=SQL.identifier(source),
        )

    @api.model
    def _month_insert(self, rows):
        """INSERT rows (of _month_rows) into the month table as new rows.

        Append-only: the rows are changes (deltas) to add to what the table
        holds for their key, never an UPDATE of a shared row, so people
        logging time on the same key never wait on each other or fail with a
        serialization error. _compact_month_table() folds them later.
        """
        return SQL(
            """INSERT INTO qlibra_profitability_month (
                   date, company_id, currency_id, partner_id, contract_id,
                   contract_type, project_id, task_id, employee_id, hours,
                   change_request_hours, uncosted_hours, cost, revenue,
                   line_count)
               %s""",
            rows,
        )

    @api.model
    def _contract_month_insert(self, source, sign=""):
        """INSERT the lines of source summed per contract and month into the
        contract month table, as changes (append-only, like _month_insert)."""
        return SQL(
            """INSERT INTO qlibra_profitability_contract_month (
                   contract_id, date, hours, line_count)
               SELECT l.qlibra_contract_id, date_trunc('month', l.date)::date,
                      %(sign)sSUM(l.unit_amount), %(sign)sCOUNT(*)
                 FROM %(source)s l
                WHERE l.project_id IS NOT NULL
                  AND l.qlibra_contract_id IS NOT NULL
             GROUP BY 1, 2""",
            sign=SQL(sign),
            source=SQL.identifier(source),
        )

    @api.model
    def _compact_month_table(self):
        """Fold the month table's rows into one per key (scheduled action).

        Only rows committed before it starts are folded; rows that others
        insert meanwhile stay as they are, so it blocks no one.
        """
        cr = self.env.cr
        cr.execute("SELECT max(id) FROM qlibra_profitability_contract_month")
        contract_max_id = cr.fetchone()[0]
        if contract_max_id:
            self._fold_contract_month_rows(SQL("id <= %s", contract_max_id))
        cr.execute(SQL("SELECT max(id), count(*) FROM qlibra_profitability_month"))
        max_id, count = cr.fetchone()
        if not max_id:
            return 0
        self._fold_month_rows(SQL("id <= %s", max_id))
        return count - cr.rowcount

    @api.model
    def _fold_month_keys(self, column, ids):
        """Fold the month table's rows of the records ids, just deleted.

        Their lines are gone or point elsewhere now: the rows naming them sum
        to nothing and must not wait for the hourly fold, or the analysis
        would show a record that no longer exists. Row locks on those rows
        only: time logged meanwhile is inserted as usual.
        """
        if column not in MONTH_KEY_IDS:
            raise ValueError(column)
        if not ids:
            return
        self.env.flush_all()
        # Uninstalling drops the table before the module's records go.
        self.env.cr.execute("SELECT to_regclass('qlibra_profitability_month')")
        if self.env.cr.fetchone()[0] is None:
            return
        self._fold_month_rows(SQL("%s = ANY(%s)", SQL.identifier(column), list(ids)))
        if column == "contract_id":
            self._fold_contract_month_rows(SQL("contract_id = ANY(%s)", list(ids)))

    @api.model
    def _fold_contract_month_rows(self, where):
        """Fold the contract month table's rows matching where (SQL) into
        one row per contract and month."""
        self._fold_rows(
            CONTRACT_MONTH_TABLE, ("contract_id", "date"), ("hours",), where
        )

    @api.model
    def _fold_month_rows(self, where):
        """Fold the month table's rows matching where (SQL) into one row per
        key, dropping keys whose lines are all gone; rowcount: rows left."""
        self._fold_rows(
            MONTH_TABLE,
            ("date", "company_id", *MONTH_KEY_IDS, "currency_id", "contract_type"),
            ("hours", "change_request_hours", "uncosted_hours", "cost", "revenue"),
            where,
        )

    @api.model
    def _fold_rows(self, table, keys, sums, where):
        """Fold the rows of table (rows of changes) matching where (SQL) into
        one per key: sums and line_count summed; keys whose lines are all
        gone dropped.

        keys must name every column that is not summed. Rows of the same
        record ids may differ in any other column (a line is inserted before
        Odoo fills its currency; its contract type may be written by a later
        statement than its contract, as installing the demo data does):
        keeping one value per record ids (max()) gave the key's whole time
        that value, and turned hourly, fixed-price and non-billable time into
        'none' once folded.
        """
        sums = (*sums, "line_count")
        names = (*keys, *sums)
        values = [
            *(SQL.identifier(name) for name in keys),
            *(SQL("SUM(%s)", SQL.identifier(name)) for name in sums),
        ]
        self.env.cr.execute(
            SQL(
                """
                WITH folded AS (
                    DELETE FROM %(table)s WHERE %(where)s RETURNING *
                )
                INSERT INTO %(table)s (%(names)s)
                SELECT %(values)s FROM folded
              GROUP BY %(keys)s
                HAVING SUM(line_count) <> 0
                """,
                table=SQL.identifier(table),
                where=where,
                names=SQL(", ").join(SQL.identifier(name) for name in names),
                values=SQL(", ").join(values),
                keys=SQL(", ").join(SQL.identifier(name) for name in keys),
            )
        )

    @api.model
    def _refill_month_table(self):
        """Rebuild the month table from the timesheet lines."""
        self.env.cr.execute(SQL("DELETE FROM qlibra_profitability_month"))
        self.env.cr.execute(
            self._month_insert(self._month_rows("account_analytic_line"))
        )
        self.env.cr.execute(SQL("DELETE FROM qlibra_profitability_contract_month"))
        self.env.cr.execute(self._contract_month_insert("account_analytic_line"))

    def _init_month_table(self):
        """Create the month table and the triggers that keep it up to date.

        Statement-level triggers with transition tables: one INSERT per
        statement on the lines, whatever its number of rows, so a bulk import
        costs one aggregate; the rows it adds are changes, folded by
        _compact_month_table(). Every way a line changes (ORM,
        recomputation, SQL) goes through them. The table is filled when it is
        created (installation), kept as it is by module updates, and dropped
        by the uninstall hook.
        """
        cr = self.env.cr
        cr.execute(SQL("SELECT to_regclass('qlibra_profitability_month')"))
        created = cr.fetchone()[0] is None
        cr.execute(SQL("SELECT to_regclass('qlibra_profitability_contract_month')"))
        contract_created = cr.fetchone()[0] is None
        cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS qlibra_profitability_month (
                    id bigserial PRIMARY KEY,
                    date date NOT NULL,
                    company_id integer NOT NULL,
                    currency_id integer,
                    partner_id integer NOT NULL DEFAULT 0,
                    contract_id integer NOT NULL DEFAULT 0,
                    contract_type varchar NOT NULL,
                    project_id integer NOT NULL DEFAULT 0,
                    task_id integer NOT NULL DEFAULT 0,
                    employee_id integer NOT NULL DEFAULT 0,
                    hours float8 NOT NULL DEFAULT 0,
                    change_request_hours float8 NOT NULL DEFAULT 0,
                    uncosted_hours float8 NOT NULL DEFAULT 0,
                    cost numeric NOT NULL DEFAULT 0,
                    revenue numeric NOT NULL DEFAULT 0,
                    line_count integer NOT NULL DEFAULT 0
                );
                -- Rows are changes, several per key until folded: no unique key.
                DROP INDEX IF EXISTS qlibra_profitability_month_key;
                CREATE INDEX IF NOT EXISTS qlibra_profitability_month_contract
                    ON qlibra_profitability_month (contract_id, date);
                CREATE TABLE IF NOT EXISTS qlibra_profitability_contract_month (
                    id bigserial PRIMARY KEY,
                    contract_id integer NOT NULL,
                    date date NOT NULL,
                    hours float8 NOT NULL DEFAULT 0,
                    line_count integer NOT NULL DEFAULT 0
                );
                CREATE INDEX IF NOT EXISTS qlibra_profitability_contract_month_key
                    ON qlibra_profitability_contract_month (contract_id, date);

                CREATE OR REPLACE FUNCTION qlibra_profitability_month_apply()
                RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN
                        %(take_away)s;
                        %(contract_take_away)s;
                    END IF;
                    IF TG_OP IN ('INSERT', 'UPDATE') THEN
                        %(add)s;
                        %(contract_add)s;
                    END IF;
                    RETURN NULL;
                END
                $fn$;

                DROP TRIGGER IF EXISTS qlibra_profitability_month_insert
                    ON account_analytic_line;
                DROP TRIGGER IF EXISTS qlibra_profitability_month_update
                    ON account_analytic_line;
                DROP TRIGGER IF EXISTS qlibra_profitability_month_delete
                    ON account_analytic_line;
                CREATE TRIGGER qlibra_profitability_month_insert
                    AFTER INSERT ON account_analytic_line
                    REFERENCING NEW TABLE AS new_rows
                    FOR EACH STATEMENT
                    EXECUTE FUNCTION qlibra_profitability_month_apply();
                CREATE TRIGGER qlibra_profitability_month_update
                    AFTER UPDATE ON account_analytic_line
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                    FOR EACH STATEMENT
                    EXECUTE FUNCTION qlibra_profitability_month_apply();
                CREATE TRIGGER qlibra_profitability_month_delete
                    AFTER DELETE ON account_analytic_line
                    REFERENCING OLD TABLE AS old_rows
                    FOR EACH STATEMENT
                    EXECUTE FUNCTION qlibra_profitability_month_apply();
                """,
                take_away=self._month_insert(self._month_rows("old_rows", "-")),
                add=self._month_insert(self._month_rows("new_rows")),
                contract_take_away=self._contract_month_insert("old_rows", "-"),
                contract_add=self._contract_month_insert("new_rows"),
            )
        )
        if created:
            self._refill_month_table()
        elif contract_created:
            # An update from a version without it.
            cr.execute(self._contract_month_insert("account_analytic_line"))

    def _read_group_select(self, aggregate_spec, query):
        if aggregate_spec not in RATIO_AGGREGATES:
            return super()._read_group_select(aggregate_spec, query)
        numerator, denominator, factor = RATIO_AGGREGATES[aggregate_spec]
        return SQL(
            "SUM(%(num)s) / NULLIF(SUM(%(den)s), 0) * %(factor)s",
            num=self._field_to_sql(self._table, numerator, query),
            den=self._field_to_sql(self._table, denominator, query),
            factor=factor,
        )
