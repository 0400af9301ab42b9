# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from collections import defaultdict
from contextlib import nullcontext

import psycopg2.errors

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from .contract_type import types_with
from .groups import ACCOUNTANT_GROUP, MANAGER_GROUP
from .qlibra_contract import RESOLUTION_TERMS
from .qlibra_sql import without_jit
from .qlibra_today import today as qlibra_today

_logger = logging.getLogger(__name__)
# The columns _qlibra_recompute_contract() writes (qlibra_<name>).
RESOLVED = "contract_id partner_id contract_type revenue revenue_currency_id".split()


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    qlibra_contract_id = fields.Many2one(
        "qlibra.contract",
        string="Client Contract",
        compute="_compute_qlibra_contract_id",
        store=True,
        # indexed with the date by init()
        help="The task's contract, else the project's, else the client's only "
        "contract valid on the line's date. Empty: time no contract covers.",
    )
    qlibra_partner_id = fields.Many2one(
        "res.partner",
        string="Client",
        compute="_compute_qlibra_contract_id",
        store=True,
        index="btree_not_null",
        help="The contract's client, else the commercial partner of the line.",
    )
    qlibra_client_id = fields.Many2one(
        "res.partner",
        string="Logged For",
        compute="_compute_qlibra_client_id",
        store=True,
        index="btree_not_null",
        help="The commercial partner of the line's partner when the line was "
        "logged: a contact that later moves to another company takes none of "
        "its past time along.",
    )
    qlibra_contract_type = fields.Selection(
        related="qlibra_contract_id.contract_type",
        store=True,
        string="Contract Type",
    )
    qlibra_is_change_request = fields.Boolean(
        string="Change Request",
        compute="_compute_qlibra_is_change_request",
        inverse="_inverse_qlibra_is_change_request",
        store=True,
        readonly=False,
        help="Work the client asked for on top of the agreed scope: the line "
        "is marked itself, or its task is a change request.",
    )
    qlibra_own_change_request = fields.Boolean(
        string="Marked as Change Request",
        default=False,
        help="The mark set on this line itself; it stays when the task's own "
        "change-request flag is set and removed again.",
    )
    qlibra_hourly_cost = fields.Float(
        string="Hourly Cost",
        compute="_compute_qlibra_hourly_cost",
        store=True,
        precompute=True,
        groups=MANAGER_GROUP,
        digits="Product Price",
        help="The employee's hourly cost when the line was logged (or when its "
        "employee was corrected); a later change of the employee's cost does "
        "not rewrite it.",
    )
    qlibra_overhead_rate = fields.Float(
        string="Overhead Rate (%)",
        compute="_compute_qlibra_overhead_rate",
        store=True,
        precompute=True,
        groups=MANAGER_GROUP,
        help="The company's overhead rate when the line was logged.",
    )
    qlibra_cost = fields.Monetary(
        string="Full Cost",
        compute="_compute_qlibra_cost",
        store=True,
        groups=MANAGER_GROUP,
        help="Hours x the employee's hourly cost x (1 + overhead rate), as "
        "they were when the line was logged.",
    )
    qlibra_revenue_currency_id = fields.Many2one(
        "res.currency",
        string="Revenue Currency",
        compute="_compute_qlibra_revenue_currency_id",
        # stored: the analysis converts revenue without joining the contract
        store=True,
        help="The contract's currency, else the company's.",
    )
    qlibra_revenue = fields.Monetary(
        string="Hourly Revenue",
        compute="_compute_qlibra_revenue",
        store=True,
        currency_field="qlibra_revenue_currency_id",
        groups=ACCOUNTANT_GROUP,
        help="Hours x the hourly rate of an hourly contract, in the "
        "contract's currency. Other revenue "
        "(monthly fees, overage, fixed prices) belongs to the contract or the "
        "task, not to a line: see the profitability analysis.",
    )

    def init(self):
        res = super().init()
        # A save sums its subscription month's hours: one range of this
        # index, read without the table where pages are all-visible (the
        # benchmark's logging), not every line of the contract.
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS
                   account_analytic_line_qlibra_contract_date_index
                   ON account_analytic_line (qlibra_contract_id, date)
                   INCLUDE (unit_amount) WHERE qlibra_contract_id IS NOT NULL"""
        )
        # Odoo sums the task's hours on every save of one of its lines
        # (project.task effective_hours): from this index alone, not from
        # every line of the task (a task of 8,000 lines: 20 ms -> 1 ms).
        # Dropped by the uninstall hook.
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS
                   account_analytic_line_qlibra_task_hours_index
                   ON account_analytic_line (task_id)
                   INCLUDE (unit_amount) WHERE task_id IS NOT NULL"""
        )
        return res

    @api.depends(
        "project_id",
        "date",
        "qlibra_client_id",
        "company_id",
        "task_id.qlibra_contract_id",
        "project_id.qlibra_contract_id",
    )
    def _compute_qlibra_contract_id(self):
        self._qlibra_touch_months()
        if new := self.env.cr.precommit.data.get("qlibra.new_lines"):
            new.difference_update(self.ids)  # stored from now on (see create)
        timesheets = self.filtered("project_id")
        (self - timesheets).qlibra_contract_id = False
        (self - timesheets).qlibra_partner_id = False
        if not timesheets:
            return
        today = qlibra_today(self)
        rows = [
            [
                index,
                line.date or today,
                line.company_id.id,
                line.task_id.sudo().qlibra_contract_id.id,
                line.project_id.sudo().qlibra_contract_id.id,
                line.qlibra_client_id.id,
            ]
            for index, line in enumerate(timesheets)
        ]
        inputs = SQL(
            "SELECT * FROM unnest(%s::int[], %s::date[], %s::int[], %s::int[],"
            " %s::int[], %s::int[])"
            " AS i(k, date, company_id, task_contract, project_contract, client)",
            *map(list, zip(*rows, strict=True)),
        )
        query = self._qlibra_resolution_sql(inputs)
        resolved = dict(self._qlibra_execute(query, size=len(timesheets)))
        timesheets.filtered("id")._qlibra_lock_inputs_at_commit()
        Contract = self.env["qlibra.contract"]
        months = []  # the subscription months the lines now count in
        for index, line in enumerate(timesheets):
            contract = Contract.browse(resolved.get(index))
            line.qlibra_contract_id = contract
            line.qlibra_partner_id = contract.sudo().partner_id or line.qlibra_client_id
            # Saved lines only: a form's draft line stores nothing.
            if isinstance(line.id, int) and contract.sudo()._qlibra_rule().monthly_fee:
                months.append((contract.id, (line.date or today).replace(day=1)))
        Contract._qlibra_touch_months(pairs=months)

    @api.depends("partner_id")
    def _compute_qlibra_client_id(self):
        # Deliberately not depending on the commercial partner: a contact
        # that moves to another company leaves its past time where it was.
        for line in self:
            line.qlibra_client_id = line.partner_id.commercial_partner_id

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # Their contract is still to compute: no stored months to read then.
        field = self._fields["qlibra_contract_id"]
        if pending := lines & self.env.records_to_compute(field):
            data = self.env.cr.precommit.data
            data.setdefault("qlibra.new_lines", set()).update(pending.ids)
        return lines

    def write(self, vals):
        if "unit_amount" in vals:
            self._qlibra_touch_months()
        return super().write(vals)

    def unlink(self):
        self._qlibra_touch_months()
        return super().unlink()

    def _qlibra_touch_months(self, old=None):
        """Mark the lines' subscription months, now and once written, for the
        contract-month store; old: the stored months if known. New lines whose
        contract is still to compute have none: their compute marks them."""
        new = self.env.cr.precommit.data.get("qlibra.new_lines", ())
        ids = [i for i in self.ids if isinstance(i, int) and i not in new]
        if not ids:
            return
        if old is None:
            old = self._qlibra_subscription_months(SQL("l.id = ANY(%s)", ids))
        self.env["qlibra.contract"]._qlibra_touch_months(pairs=old, lines=ids)

    @api.model
    def _qlibra_subscription_months(self, where):
        """(contract id, month) of the stored lines matching ``where`` (SQL on
        ``l``) under a subscription: only those months are stored."""
        return self.env.execute_query(
            SQL(
                """SELECT DISTINCT l.qlibra_contract_id,
                          date_trunc('month', l.date)::date
                     FROM account_analytic_line l
                     JOIN qlibra_contract c ON c.id = l.qlibra_contract_id
                    WHERE %s AND l.project_id IS NOT NULL
                      AND c.contract_type IN %s""",
                where,
                tuple(types_with("monthly_fee")),
            )
        )

    def _qlibra_lock_inputs_at_commit(self):
        """Serialize with contract changes (SPEC, Lifecycle): these write their
        client's row (_check_overlap) or project's, which the lines share-lock
        at precommit: lines resolved without a contract committed meanwhile
        fail to serialize (Odoo retries); those committed before it are
        resolved again by _qlibra_recheck_after_commit."""
        cr = self.env.cr
        if not self or cr.readonly:
            return
        data = cr.precommit.data.get("qlibra.inputs")
        if data is None:
            data = cr.precommit.data["qlibra.inputs"] = defaultdict(set)
            cr.precommit.add(lambda: _lock_inputs(cr, data))
        data["clients"].update(self.qlibra_client_id.ids)
        data["projects"].update(self.project_id.ids)

    def _qlibra_recheck_after_commit(self, partners=(), projects=()):
        """Resolve the lines of partners and projects again once this contract
        change has committed: lines saved meanwhile were invisible to it, and
        are younger than its snapshot's xmin, whatever their order of commit."""
        cr = self.env.cr
        if self.env.context.get(MODULE_UNINSTALL_FLAG):
            return  # the lines' qLibra columns go with the module
        data = cr.postcommit.data.get("qlibra.recheck")
        if data is None:
            cr.execute(
                "SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::numeric"
                " % 4294967296)::text,"
                " (COALESCE(pg_current_xact_id_if_assigned()::text, '0')::numeric"
                " % 4294967296)::text"
            )
            xmin, xid = cr.fetchone()
            data = cr.postcommit.data["qlibra.recheck"] = defaultdict(set)
            data.update(xmin=xmin, xid=xid)
            registry = self.env.registry
            cr.postcommit.add(lambda: _recheck_after_commit(registry, data))
        data["partners"].update(partners)
        data["projects"].update(projects)

    @api.model
    def _qlibra_recheck(self, data):
        """The postcommit half of _qlibra_recheck_after_commit."""
        rows = self.env.execute_query(
            SQL(
                """
                SELECT l.id FROM account_analytic_line l
                 WHERE l.project_id IS NOT NULL
                   AND (l.qlibra_client_id = ANY(%(partners)s)
                        OR l.project_id = ANY(%(projects)s))
                   AND age(l.xmin) <= age(%(xmin)s::xid)
                   AND l.xmin <> %(own)s::xid
                """,
                partners=sorted(data["partners"]),
                projects=sorted(data["projects"]),
                xmin=data["xmin"],
                own=data["xid"],
            )
        )
        self.browse([row[0] for row in rows])._qlibra_recompute_contract()

    @api.model
    def _qlibra_execute(self, query, fetch=True, size=None):
        """Execute query without JIT (see without_jit), which the recursive
        chain's estimates trigger. size: the number of lines, if known; a few
        thousand plan far below JIT's threshold (1,000 lines: 7,000 against
        100,000), so small saves skip it."""
        cr = self.env.cr
        with without_jit(cr) if size is None or size > 5000 else nullcontext():
            cr.execute(query)
            return cr.fetchall() if fetch else None

    @api.model
    def _qlibra_resolution_sql(self, inputs):
        """SPEC's rule "which contract a line belongs to", the only copy: SQL
        of (k, contract_id) for inputs, SQL of i(k, date, company_id,
        task_contract, project_contract, client): the line company's contract
        valid on its date along the task contract's renegotiation chain, else
        the project's, else the client's one whole-client contract, else NULL;
        archived contracts count (history stays)."""
        self.env["qlibra.contract"].flush_model(sorted(RESOLUTION_TERMS))
        self.env["project.project"].flush_model(["qlibra_contract_id"])
        valid = SQL(
            "c.company_id = i.company_id AND c.date_start <= i.date"
            " AND (c.date_end IS NULL OR i.date <= c.date_end)"
        )
        return SQL(
            """
            WITH RECURSIVE input AS (%(inputs)s),
            chain(head, contract_id, depth) AS (
                SELECT head, head, 0 FROM (
                    SELECT task_contract AS head FROM input
                     WHERE task_contract IS NOT NULL
                     UNION
                    SELECT project_contract FROM input
                     WHERE project_contract IS NOT NULL
                ) heads
                 UNION ALL
                SELECT ch.head, c.previous_contract_id, ch.depth + 1
                  FROM chain ch
                  JOIN qlibra_contract c ON c.id = ch.contract_id
                 WHERE c.previous_contract_id IS NOT NULL AND ch.depth < 100
            ),
            -- contracts with projects, and their predecessors: they cover
            -- their projects only (qlibra.contract._scope_projects)
            scoped(id) AS (
                SELECT qlibra_contract_id FROM project_project
                 WHERE qlibra_contract_id IS NOT NULL
                 UNION
                SELECT c.previous_contract_id
                  FROM scoped s JOIN qlibra_contract c ON c.id = s.id
                 WHERE c.previous_contract_id IS NOT NULL
            ),
            -- every contract that may take a line, in the rule's order: the
            -- task's chain (nearest first), the project's, then the client's
            -- one contract for the whole client (NULL when two are valid).
            -- Joins, not a subquery per line: linear in the lines.
            link AS (
                SELECT ch.head, ch.depth, c.id, c.company_id, c.date_start,
                       c.date_end
                  FROM chain ch JOIN qlibra_contract c ON c.id = ch.contract_id
            ),
            candidate(k, rank, depth, contract_id) AS (
                SELECT i.k, 0, c.depth, c.id FROM input i
                  JOIN link c ON c.head = i.task_contract AND %(valid)s
                 UNION ALL
                SELECT i.k, 1, c.depth, c.id FROM input i
                  JOIN link c ON c.head = i.project_contract AND %(valid)s
                 UNION ALL
                SELECT i.k, 2, 0, CASE WHEN count(*) = 1 THEN min(c.id) END
                  FROM input i
                  JOIN qlibra_contract c ON c.partner_id = i.client AND %(valid)s
                 WHERE c.id NOT IN (SELECT id FROM scoped)
                 GROUP BY i.k
            )
            SELECT i.k, first.contract_id
              FROM input i
         LEFT JOIN (SELECT DISTINCT ON (k) k, contract_id FROM candidate
                     ORDER BY k, rank, depth) first ON first.k = i.k
            """,
            inputs=inputs,
            valid=valid,
        )

    def _qlibra_recompute_contract(self):
        """Re-resolve the lines' contract, client, type and hourly revenue in
        one UPDATE of the changing lines, however many; same values as the
        computes (test_stored_line_values_equal_their_computation)."""
        if not self:
            return
        self.env.flush_all()
        inputs = SQL(
            """SELECT l.id AS k, l.date, l.company_id,
                      t.qlibra_contract_id AS task_contract,
                      p.qlibra_contract_id AS project_contract,
                      l.qlibra_client_id AS client
                 -- a join, not "id = ANY(array)": linear in the array per row
                 FROM unnest(%s::int[]) AS ids(id)
                 JOIN account_analytic_line l ON l.id = ids.id
                 JOIN project_project p ON p.id = l.project_id
            LEFT JOIN project_task t ON t.id = l.task_id""",
            self.ids,
        )
        # Through a temporary table: planned together, the recursive chain's
        # estimates made PostgreSQL join a million lines to every currency.
        cr = self.env.cr
        cr.execute("DROP TABLE IF EXISTS qlibra_resolved_line")
        self._qlibra_execute(
            SQL(
                "CREATE TEMP TABLE qlibra_resolved_line ON COMMIT DROP AS %s",
                self._qlibra_resolution_sql(inputs),
            ),
            fetch=False,
        )
        cr.execute("ANALYZE qlibra_resolved_line")
        rows = self._qlibra_execute(
            SQL(
                """
                UPDATE account_analytic_line l
                   SET qlibra_contract_id = new.contract_id,
                       qlibra_partner_id = new.partner_id,
                       qlibra_contract_type = new.contract_type,
                       qlibra_revenue = new.revenue,
                       qlibra_revenue_currency_id = new.revenue_currency_id
                  FROM (
                      SELECT l.id, r.contract_id,
                             l.qlibra_contract_id AS old_contract_id,
                             COALESCE(c.partner_id, l.qlibra_client_id)
                                 AS partner_id,
                             c.contract_type, %(revenue)s AS revenue,
                             COALESCE(c.currency_id, l.currency_id)
                                 AS revenue_currency_id
                        FROM qlibra_resolved_line r
                        JOIN account_analytic_line l ON l.id = r.k
                   LEFT JOIN qlibra_contract c ON c.id = r.contract_id
                   LEFT JOIN res_currency cur ON cur.id = c.currency_id
                  CROSS JOIN LATERAL (
                      SELECT c.contract_type, l.unit_amount AS hours,
                             c.hourly_rate, cur.rounding
                  ) i
                  ) new
                 WHERE l.id = new.id
                   AND (l.qlibra_contract_id IS DISTINCT FROM new.contract_id
                        OR l.qlibra_partner_id IS DISTINCT FROM new.partner_id
                        OR l.qlibra_contract_type IS DISTINCT FROM new.contract_type
                        OR l.qlibra_revenue IS DISTINCT FROM new.revenue
                        OR l.qlibra_revenue_currency_id
                           IS DISTINCT FROM new.revenue_currency_id)
             RETURNING l.id, new.old_contract_id,
                       date_trunc('month', l.date)::date
                """,
                revenue=self._qlibra_revenue_sql("i"),
            )
        )
        cr.execute("DROP TABLE qlibra_resolved_line")
        changed = self.browse([row[0] for row in rows])
        if not changed:
            return
        changed._qlibra_touch_months(old=[row[1:] for row in rows])
        fnames = [f"qlibra_{name}" for name in RESOLVED]
        changed.invalidate_recordset(fnames)
        # What depends on them elsewhere is recomputed as usual; they are not.
        changed.modified(fnames)
        for fname in fnames:
            self.env.remove_to_compute(self._fields[fname], changed)

    @api.depends("task_id.qlibra_is_change_request", "qlibra_own_change_request")
    def _compute_qlibra_is_change_request(self):
        for line in self:
            own = line.qlibra_own_change_request
            line.qlibra_is_change_request = line.task_id.qlibra_is_change_request or own

    def _inverse_qlibra_is_change_request(self):
        for line in self:
            line.qlibra_own_change_request = line.qlibra_is_change_request

    @api.depends("employee_id")
    def _compute_qlibra_hourly_cost(self):
        # Not depending on the employee's cost: a later change must not
        # re-cost logged time; a corrected employee brings their cost.
        for line in self:
            line.qlibra_hourly_cost = line.employee_id.hourly_cost

    @api.depends()
    def _compute_qlibra_overhead_rate(self):
        # Frozen when logged: neither a later rate change nor a move to
        # another company re-costs logged time (SPEC, Rules).
        for line in self:
            line.qlibra_overhead_rate = line.company_id.qlibra_overhead_rate

    @api.depends("qlibra_contract_id.currency_id", "currency_id")
    def _compute_qlibra_revenue_currency_id(self):
        for line in self:
            contract_currency = line.qlibra_contract_id.sudo().currency_id
            line.qlibra_revenue_currency_id = contract_currency or line.currency_id

    @api.depends(
        "unit_amount",
        "qlibra_contract_id.contract_type",
        "qlibra_contract_id.hourly_rate",
        "qlibra_contract_id.currency_id",
    )
    def _compute_qlibra_revenue(self):
        # Stored so the analysis reads one table. The rule is SQL, shared
        # with the set-based re-resolution: one query for the hourly lines;
        # the others earn nothing, without a query.
        hourly = self.filtered(
            lambda line: line.qlibra_contract_id.sudo()._qlibra_rule().hourly
        )
        (self - hourly).qlibra_revenue = 0.0
        if not hourly:
            return
        contracts = [line.qlibra_contract_id.sudo() for line in hourly]
        self.env.cr.execute(
            SQL(
                "SELECT k, %s FROM unnest(%s::varchar[], %s::float8[],"
                " %s::numeric[], %s::numeric[]) WITH ORDINALITY"
                " AS i(contract_type, hours, hourly_rate, rounding, k)",
                self._qlibra_revenue_sql("i"),
                [contract.contract_type for contract in contracts],
                [line.unit_amount or 0.0 for line in hourly],
                [contract.hourly_rate or 0.0 for contract in contracts],
                [contract.currency_id.rounding or 0.01 for contract in contracts],
            )
        )
        revenue = dict(self.env.cr.fetchall())
        for position, line in enumerate(hourly, start=1):
            line.qlibra_revenue = float(revenue[position])

    @api.model
    def _qlibra_revenue_sql(self, alias):
        """SPEC's revenue of a line, the only copy: hours x an hourly
        contract's rate, rounded to its currency; else 0. alias: a relation
        with contract_type, hours, hourly_rate and rounding."""
        return SQL(
            """CASE WHEN %(row)s.contract_type IN %(types)s
                    THEN round(%(row)s.hours::numeric
                               * COALESCE(%(row)s.hourly_rate, 0)
                               / %(row)s.rounding) * %(row)s.rounding
                    ELSE 0 END""",
            row=SQL.identifier(alias),
            types=tuple(types_with("hourly")),
        )

    @api.depends(
        "unit_amount", "qlibra_hourly_cost", "qlibra_overhead_rate", "project_id"
    )
    def _compute_qlibra_cost(self):
        # Not Odoo's amount: hr_timesheet recomputes it at the employee's
        # current cost when the hours or the project change.
        for line in self:
            line.qlibra_cost = line._qlibra_cost_at(
                line.qlibra_hourly_cost, line.qlibra_overhead_rate
            )

    def _qlibra_cost_at(self, hourly_cost, overhead_rate):
        """The one cost rule: hours x hourly cost x (1 + overhead rate), in
        the company's currency; no cost for time outside projects."""
        self.ensure_one()
        if not self.project_id:
            return 0.0
        return self.company_id.currency_id.round(
            self.unit_amount * hourly_cost * (1 + overhead_rate / 100)
        )


def _lock_inputs(cr, data):
    """The precommit half of _qlibra_lock_inputs_at_commit."""
    # One statement: the clients' rows, then the projects'.
    cr.execute(
        SQL(
            """SELECT (SELECT count(*) FROM (SELECT 1 FROM res_partner
                        WHERE id = ANY(%s) ORDER BY id FOR SHARE) p),
                      (SELECT count(*) FROM (SELECT 1 FROM project_project
                        WHERE id = ANY(%s) ORDER BY id FOR SHARE) pr)""",
            sorted(data["clients"]),
            sorted(data["projects"]),
        )
    )


def _recheck_after_commit(registry, data, tries=3):
    """Run after the request's commit, so a failure must not reach the user;
    a concurrent update of the same lines is retried as Odoo retries requests."""
    for attempt in range(1, tries + 1):
        try:
            with registry.cursor() as cr:
                if not column_exists(cr, "account_analytic_line", "qlibra_client_id"):
                    return  # the module was uninstalled in that transaction
                # The registry at hand, not looked up by name: that takes the
                # lock which a thread loading the registry may hold.
                cr.transaction = api.Transaction(registry)
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["account.analytic.line"]._qlibra_recheck(data)
            return
        except psycopg2.errors.SerializationFailure:
            if attempt == tries:
                _logger.warning(
                    "The lines of clients %s and projects %s could not be "
                    "resolved again after %s tries",
                    sorted(data["partners"]),
                    sorted(data["projects"]),
                    tries,
                )
