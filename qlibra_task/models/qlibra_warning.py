# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from functools import cache
from operator import itemgetter

from markupsafe import Markup
from psycopg2 import errors
from psycopg2.extras import Json

from odoo import api, fields, models
from odoo.tools import SQL, float_compare
from odoo.tools.misc import format_amount, format_duration, formatLang
from odoo.tools.sql import column_exists

from odoo.addons.project.models.project_task import CLOSED_STATES

from .figures import consumption_percent
from .groups import MANAGER_GROUP, check_manager, is_manager
from .qlibra_today import today as qlibra_today

_logger = logging.getLogger(__name__)

FIXED_PRICE_THRESHOLDS = (80.0, 100.0)
WARNING_KINDS = [
    ("consumption", "Consumption Threshold"),
    ("overrun", "Included Hours Used Up"),
    ("projection", "Projected Overrun"),
    ("fixed_price", "Fixed Price Consumed"),
    ("renegotiation", "Renegotiation"),
]

ACTIVITY_TYPES = {
    "consumption": "qlibra_task.mail_activity_type_qlibra_consumption",
    "overrun": "qlibra_task.mail_activity_type_qlibra_overrun",
    "projection": "qlibra_task.mail_activity_type_qlibra_overrun",
    "fixed_price": "qlibra_task.mail_activity_type_qlibra_fixed_price",
    "renegotiation": "qlibra_task.mail_activity_type_qlibra_renegotiation",
}
# Columns filled by _claim(), in this order.
CLAIM_COLUMNS = (
    "kind res_model res_id contract_id task_id partner_id company_id user_id "
    "period threshold value params state"
).split()
# Params are written in the reader's number format: hours as HH:MM, money in
# fee_currency_id (fees) or currency_id (others), percentages with 1 decimal.
HOUR_PARAMS = frozenset({"hours", "included", "projected", "before", "carried"})
MONEY_PARAMS = frozenset({"cost", "price", "revenue", "fee", "suggested"})
FEE_PARAMS = frozenset({"fee", "suggested"})
PERCENT_PARAMS = frozenset("percent threshold projected_percent margin target".split())


class QlibraWarning(models.Model):
    """An early warning of the daily scheduled action: one per document, kind,
    month and threshold, even when two workers run the action at once."""

    _name = "qlibra.warning"
    _description = "Client Early Warning"
    _order = "id desc"
    _rec_name = "summary"
    _rec_names_search = ["partner_id", "contract_id", "task_id"]

    kind = fields.Selection(WARNING_KINDS, required=True, readonly=True)
    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Document", model_field="res_model", required=True, readonly=True
    )
    contract_id = fields.Many2one(
        "qlibra.contract", required=True, readonly=True, index=True, ondelete="cascade"
    )
    task_id = fields.Many2one(
        "project.task", readonly=True, index="btree_not_null", ondelete="cascade"
    )
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Assigned To",
        readonly=True,
        help="Who received the To-Do activity.",
    )
    period = fields.Date(
        string="Month", required=True, readonly=True, help="First day of the month."
    )
    threshold = fields.Float(
        string="Threshold (%)",
        readonly=True,
        help="Share of the included hours or of the fixed price, or the target "
        "margin, that the warning is about.",
    )
    value = fields.Float(
        string="Value (%)",
        readonly=True,
        help="Consumption, projected consumption, share of the fixed price "
        "consumed or trailing margin when the warning was raised.",
    )
    params = fields.Json(
        string="Figures",
        readonly=True,
        help="The figures of the warning as raised (hours, percentages, "
        "amounts and their currency): its summary and message are written from "
        "them in the language and number format of whoever reads them.",
    )
    summary = fields.Char(compute="_compute_texts")
    message = fields.Text(compute="_compute_texts")
    state = fields.Selection(
        [("new", "To Handle"), ("handled", "Handled"), ("dismissed", "Dismissed")],
        default="new",
        required=True,
        readonly=True,
        index=True,
        help="Handled: acted upon (fee renegotiated, scope agreed...). "
        "Dismissed: seen, nothing to do.",
    )

    _sql_constraints = [
        (
            "warning_unique",
            "UNIQUE(kind, res_model, res_id, period, threshold)",
            "This warning was already raised for this document, month and threshold.",
        ),
    ]

    # Texts are written at read time, in the reader's language.
    @api.depends("kind", "params", "partner_id", "contract_id", "task_id")
    @api.depends_context("lang", "uid")
    def _compute_texts(self):
        # Money only for those who may read it (the model is readable by
        # client profitability managers only; this guards reads in sudo).
        figures = is_manager(self.env)
        legacy = self.filtered(lambda warning: not warning.params)._legacy_texts()
        for warning in self:
            if warning.params:
                texts = warning._qlibra_texts(figures=figures)
            elif figures and warning.id in legacy:
                texts = legacy[warning.id]
            else:
                kind = warning._fields["kind"].convert_to_export(warning.kind, warning)
                texts = {"summary": kind, "message": ""}
            warning.update(texts)  # summary and message

    def _legacy_texts(self):
        """{id: texts} of warnings raised before params existed: the old
        summary and message columns, shown as is (no migration needed)."""
        ids = [warning_id for warning_id in self.ids if isinstance(warning_id, int)]
        if not ids or not column_exists(self.env.cr, self._table, "message"):
            return {}
        query = "SELECT id, summary, message FROM qlibra_warning WHERE id IN %s"
        rows = self.env.execute_query(SQL(query, tuple(ids)))
        return {
            warning_id: {"summary": summary or "", "message": message or ""}
            for warning_id, summary, message in rows
        }

    def _qlibra_args(self):
        """The placeholders of the warning's texts, written for the reader."""
        self.ensure_one()
        env, params, Currency = self.env, self.params or {}, self.env["res.currency"]
        currency = Currency.browse(params.get("currency_id"))
        # Fees are in the contract's currency, figures in the company's.
        fee_currency = Currency.browse(params.get("fee_currency_id")) or currency
        names = {"client": "partner_id", "contract": "contract_id", "task": "task_id"}
        args = {key: self[fname].display_name or "" for key, fname in names.items()}
        for key, value in params.items():
            if key in HOUR_PARAMS:
                args[key] = format_duration(value or 0.0)
            elif key in FEE_PARAMS:
                args[key] = format_amount(env, value or 0.0, fee_currency)
            elif key in MONEY_PARAMS:
                args[key] = format_amount(env, value or 0.0, currency)
            elif key in PERCENT_PARAMS:
                # A fixed price's thresholds are whole: 80%, 100%.
                digits = 0 if (self.kind, key) == ("fixed_price", "threshold") else 1
                args[key] = formatLang(env, value or 0.0, digits=digits)
            else:
                args[key] = value
        return args

    def _qlibra_texts(self, figures=True):
        """Summary and message in self.env's language. figures: whether the
        reader may read money; without, money warnings say what to look at."""
        self.ensure_one()
        env, args, kind = self.env, self._qlibra_args(), self.kind
        if kind == "overrun":
            summary = env._("Included hours used up")
            message = env._(
                "%(client)s has used %(hours)s hours this month: "
                "%(percent)s%% of the %(included)s hours included in "
                "%(contract)s.",
                **args,
            )
        elif kind == "consumption":
            summary = env._("%(percent)s%% of the included hours used", **args)
            message = env._(
                "%(client)s has used %(hours)s of the %(included)s hours "
                "included this month in %(contract)s (%(percent)s%%), "
                "passing the warning threshold of %(threshold)s%%. At "
                "the current pace the month ends at %(projected)s "
                "hours.",
                **args,
            )
        elif kind == "projection":
            summary = env._("Included hours projected to run out")
            message = env._(
                "At the current pace %(client)s will use %(projected)s "
                "hours this month, %(projected_percent)s%% of the "
                "%(included)s hours included in %(contract)s: "
                "%(before)s hours in the first %(elapsed)s of "
                "%(days)s working days. Used so far: %(hours)s hours "
                "(%(percent)s%%).",
                **args,
            )
        elif kind == "fixed_price" and not figures:
            summary = env._("Fixed-price job to review")
            message = env._(
                "The fixed-price job %(task)s needs a review. A client "
                "profitability manager has the figures in Client "
                "Profitability > Early Warnings.",
                **args,
            )
        elif kind == "fixed_price":
            summary = env._("%(threshold)s%% of the fixed price used", **args)
            message = env._(
                "The cost of %(task)s (%(client)s) has reached %(cost)s: "
                "%(percent)s%% of its fixed price of %(price)s.",
                **args,
            )
        elif not figures:  # renegotiation
            summary = env._("Client to renegotiate")
            message = env._(
                "%(client)s is below its target margin and should be "
                "renegotiated. A client profitability manager has the "
                "figures in Client Profitability > Clients to Renegotiate.",
                **args,
            )
        else:
            if args.get("subscription"):
                summary = env._(
                    "Renegotiate: suggested monthly fee %(suggested)s", **args
                )
                advice = env._(
                    "Current monthly fee: %(fee)s; suggested monthly fee: "
                    "%(suggested)s.",
                    **args,
                )
            else:
                summary = env._(
                    "Renegotiate: margin %(margin)s%% below the target of %(target)s%%",
                    **args,
                )
                advice = env._(
                    "To reach the target, the work of this client should bring "
                    "in at least %(suggested)s a month.",
                    **args,
                )
            message = env._(
                "The margin of %(client)s over the last 3 full months is "
                "%(margin)s%%, below the target of %(target)s%% (revenue "
                "%(revenue)s, cost %(cost)s). %(advice)s",
                **args,
                advice=advice,
            )
        if (self.params or {}).get("carried"):
            message += " " + env._(
                "The available hours include %(carried)s hours carried from "
                "earlier months.",
                **args,
            )
        return {"summary": summary, "message": message}

    def _set_state(self, state):
        # Read-only records: only managers change their follow-up.
        msg = self.env._("Only client profitability managers handle warnings.")
        check_manager(self.env, msg)
        self.sudo().write({"state": state})

    def action_mark_handled(self):
        self._set_state("handled")

    def action_dismiss(self):
        self._set_state("dismissed")

    def action_reopen(self):
        self._set_state("new")

    def action_open_document(self):
        self.ensure_one()
        document = self.env[self.res_model].browse(self.res_id)
        return document._get_records_action(view_mode="form", context={})

    @api.model
    def _raise_warnings(self, contracts=None):
        """Raise and return the warnings due today for contracts (default: all
        active ones); each check reads its figures for all at once."""
        if contracts is None:
            contracts = self.env["qlibra.contract"].sudo().search([])
        contracts = contracts.sudo()
        today = qlibra_today(self)
        running = contracts.filtered(lambda c: c.state == "running")
        candidates = [
            *self._consumption_candidates(running, today),
            *self._fixed_price_candidates(contracts),
            *self._renegotiation_candidates(running),
        ]
        return self._raise(candidates, today.replace(day=1))

    @api.model
    def _recipient(self, *users):
        """The first of users who can act on a warning: active and internal."""
        active = (user for user in users if user and user.active and not user.share)
        return next(active, self.env["res.users"])

    @api.model
    def _consumption_candidates(self, contracts, today):
        contracts = contracts.filtered(
            lambda c: c._qlibra_rule().monthly_fee and c.included_hours > 0
        )
        if not contracts:
            return []
        month_figures = contracts._qlibra_month_figures(today)
        candidates = []
        for contract in contracts:
            figures = month_figures[contract.id]
            # Hours carried from earlier months are available too (rollover).
            carried = figures["carried"]
            included = figures["included"] + carried
            hours = figures["hours"]
            percent = consumption_percent(hours, included) or 0.0
            threshold = contract.company_id.qlibra_warning_threshold
            projected = figures["projected_hours"]
            params = {
                "hours": hours,
                "included": included,
                "percent": percent,
                "threshold": threshold,
                "projected": projected or hours,
                "elapsed": figures["elapsed_days"],
                "days": figures["working_days"],
            }
            if carried:
                params["carried"] = carried
            base = {
                "contract": contract,
                "record": contract,
                "user": self._recipient(contract.user_id),
                "value": percent,
                "params": params,
            }
            # The threshold is at most 100%: reaching it below 100% is a
            # consumption warning, at 100% an overrun.
            over = float_compare(percent, 100.0, precision_digits=2) >= 0
            if over or float_compare(percent, threshold, precision_digits=2) >= 0:
                kind, limit = ("overrun", 100.0) if over else ("consumption", threshold)
                candidates.append({**base, "kind": kind, "threshold": limit})
            if (
                projected is not None
                and not over
                and float_compare(projected, included, precision_digits=2) > 0
            ):
                value = consumption_percent(projected, included)
                before = figures["hours_before"]
                params = {**params, "projected_percent": value, "before": before}
                projection = {"kind": "projection", "threshold": 100.0, "value": value}
                candidates.append({**base, **projection, "params": params})
        return candidates

    @api.model
    def _fixed_price_candidates(self, contracts):
        contracts = contracts.filtered(lambda c: c._qlibra_rule().fixed_price)
        if not contracts:
            return []
        Task = self.env["project.task"].sudo()
        tasks = Task.search(
            [
                ("qlibra_contract_id", "in", contracts.ids),
                ("qlibra_fixed_price", ">", 0),
                ("state", "not in", list(CLOSED_STATES)),
            ]
        )
        candidates = []
        # qlibra_price_consumed is computed for all the tasks at once.
        for task in tasks:
            percent = task.qlibra_price_consumed
            reached = [
                threshold
                for threshold in FIXED_PRICE_THRESHOLDS
                if float_compare(percent, threshold, precision_digits=2) >= 0
            ]
            if not reached:
                continue
            contract = task.qlibra_contract_id
            candidates.append(
                {
                    "contract": contract,
                    "record": task,
                    "task": task,
                    "user": self._recipient(task.project_id.user_id, contract.user_id),
                    "kind": "fixed_price",
                    "threshold": max(reached),
                    "value": percent,
                    "params": {
                        "cost": task.qlibra_cost,
                        # in the company's currency, like the cost
                        "price": task._qlibra_company_price(),
                        "currency_id": contract.company_id.currency_id.id,
                        "percent": percent,
                        "threshold": max(reached),
                    },
                }
            )
        return candidates

    @api.model
    def _renegotiation_candidates(self, contracts):
        contracts = contracts.filtered(lambda c: c._qlibra_rule().billable)
        # Figures per company (the scheduler's user may not belong to them
        # all), in a fixed number of queries per company.
        clients = []
        for company, own in contracts.grouped("company_id").items():
            partners = own.partner_id.with_context(allowed_company_ids=company.ids)
            clients += partners._qlibra_figures().values()
        candidates = []
        for figures in clients:
            contract = figures["contract"]
            if not figures["to_renegotiate"] or not contract:
                continue
            candidates.append(
                {
                    "contract": contract,
                    "record": contract,
                    "user": self._recipient(contract.user_id),
                    "kind": "renegotiation",
                    "threshold": figures["target_margin"],
                    "value": figures["trailing_margin_percent"],
                    "params": {
                        "margin": figures["trailing_margin_percent"],
                        "target": figures["target_margin"],
                        "revenue": figures["trailing_revenue"],
                        "cost": figures["trailing_cost"],
                        "fee": contract.monthly_fee,
                        "suggested": figures["suggested_fee"],
                        "currency_id": contract.company_id.currency_id.id,
                        "fee_currency_id": contract.currency_id.id,
                        # A monthly fee means something for subscriptions only.
                        "subscription": contract._qlibra_rule().monthly_fee,
                    },
                }
            )
        return candidates

    @api.model
    def _raise(self, candidates, period):
        """Claim each candidate warning, then notify the ones claimed."""
        if not candidates:
            return self.browse()
        for candidate in candidates:
            record, threshold = candidate["record"], round(candidate["threshold"], 2)
            candidate["threshold"] = threshold
            candidate["key"] = (candidate["kind"], record._name, record.id, threshold)
        existing = {
            (warning.kind, warning.res_model, warning.res_id, warning.threshold)
            for warning in self.sudo().search_fetch(
                [
                    ("period", "=", period),
                    ("res_id", "in", [c["record"].id for c in candidates]),
                ],
                ["kind", "res_model", "res_id", "threshold"],
            )
        }
        todo = [c for c in candidates if c["key"] not in existing]
        claimed = self._claim(todo, period)
        by_key = {c["key"]: c for c in todo}
        raised = [(self.browse(warning_id), by_key[key]) for warning_id, key in claimed]
        self._notify(raised)
        return self.browse([warning_id for warning_id, _key in claimed])

    @api.model
    def _claim_row(self, candidate, period):
        record, contract = candidate["record"], candidate["contract"]
        return SQL(
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'new',"
            " %s, (now() at time zone 'UTC'), %s, (now() at time zone 'UTC'))",
            candidate["kind"],
            record._name,
            record.id,
            contract.id,
            candidate.get("task", record.browse()).id or None,
            contract.partner_id.id or None,
            contract.company_id.id,
            candidate["user"].id or None,
            period,
            candidate["threshold"],
            candidate["value"],
            Json(candidate["params"]),
            self.env.uid,
            self.env.uid,
        )

    @api.model
    def _claim(self, candidates, period):
        """Insert the warnings nobody raised yet; return [(id, key)]. ON
        CONFLICT skips rows a concurrent transaction inserted, but one that
        committed after this one started fails to serialize (REPEATABLE READ):
        then claim one by one, skipping those."""
        if not candidates:
            return []
        try:
            return self._claim_rows(candidates, period)
        except errors.SerializationFailure:
            _logger.info("Early warnings raised concurrently: claiming one by one")
        claimed = []
        for candidate in candidates:
            try:
                claimed += self._claim_rows([candidate], period)
            except errors.SerializationFailure:
                continue
        return claimed

    @api.model
    def _claim_rows(self, candidates, period):
        self.env.flush_all()
        query = SQL(
            """INSERT INTO qlibra_warning (%(columns)s, create_uid, create_date,
                                           write_uid, write_date)
               VALUES %(rows)s
               ON CONFLICT (kind, res_model, res_id, period, threshold) DO NOTHING
               RETURNING id, kind, res_model, res_id, threshold""",
            columns=SQL(", ").join(SQL.identifier(col) for col in CLAIM_COLUMNS),
            rows=SQL(", ").join(self._claim_row(c, period) for c in candidates),
        )
        with self.env.cr.savepoint(flush=False):
            self.env.cr.execute(query, log_exceptions=False)
            return [(row[0], row[1:]) for row in self.env.cr.fetchall()]

    @api.model
    def _notify(self, raised):
        """A To-Do activity for each recipient and a note in the chatter,
        each in its reader's language; raised: [(warning, candidate)]."""
        if not raised:
            return
        IrModel, activity_vals = self.env["ir.model"], []

        @cache  # the activity and the note share texts: written once
        def texts_for(warning, user, figures):
            lang = (user and user.lang) or self.env.lang  # the recipient's
            return warning.sudo().with_context(lang=lang)._qlibra_texts(figures)

        for warning, candidate in raised:
            user, kind = candidate["user"], candidate["kind"]
            if not user:
                continue
            record = candidate["record"]
            # Money only for those who may read it: a plain employee gets the
            # warning without the figures.
            texts = texts_for(warning, user, user.has_group(MANAGER_GROUP))
            activity_vals.append(
                {
                    "activity_type_id": self.env.ref(ACTIVITY_TYPES[kind]).id,
                    "summary": texts["summary"],
                    "note": Markup("<p>%s</p>") % texts["message"],
                    "date_deadline": qlibra_today(self),
                    "res_model_id": IrModel._get_id(record._name),
                    "res_id": record.id,
                    "user_id": user.id,
                    "automated": True,
                }
            )
        # One create per wave of distinct documents (two activities of a user
        # on one document subscribe them twice); no e-mail: hundreds a day.
        Activity = self.env["mail.activity"].sudo()
        Activity = Activity.with_context(mail_activity_quick_update=True)
        key = itemgetter("res_model_id", "res_id", "user_id")
        for wave in _waves(activity_vals, key):
            Activity.create(wave)
        # The figures go to the contract's chatter (managers only; not a task's,
        # which employees read) in the account manager's language, in waves.
        notes = []
        for warning, candidate in raised:
            message = texts_for(warning, candidate["user"], True)["message"]
            notes.append((candidate["contract"].id, Markup("<p>%s</p>") % message))
        Contract = self.env["qlibra.contract"].sudo()
        for wave in _waves(notes, itemgetter(0)):
            contracts = Contract.browse([contract_id for contract_id, _body in wave])
            contracts._message_log_batch(bodies=dict(wave))


def _waves(items, key):
    """items in waves, in order, no two items of a wave with the same key."""
    while items:
        wave, rest, seen = [], [], set()
        for item in items:
            (rest if key(item) in seen else wave).append(item)
            seen.add(key(item))
        yield wave
        items = rest
