# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.qlibra_task.tests.common import QlibraCase

from .common import formula_args, load_dashboard

REF = r"\$?([A-Z]+)\$?(\d+)"


class DashboardEvaluator:
    """Evaluate the cells of the dashboard's Data sheet as Odoo's spreadsheet
    does, for the formula shapes that sheet uses: PIVOT.VALUE reads the pivot's
    model with the pivot's domain, its global filters' domains and its
    groupings; the rest is plain cell arithmetic."""

    def __init__(self, env, data, today, filter_values):
        self.env = env
        self.data = data
        self.today = today
        self.filter_values = filter_values
        self.filters = {flt["label"]: flt for flt in data["globalFilters"]}
        self.pivots = {pivot["formulaId"]: pivot for pivot in data["pivots"].values()}
        self.cells = next(s for s in data["sheets"] if s["name"] == "Data")["cells"]

    def value(self, ref):
        content = self.cells.get(ref, {}).get("content", "")
        if not content.startswith("="):
            return content
        formula = content[1:]
        if formula == "DATE(YEAR(TODAY()),MONTH(TODAY()),1)":
            return self.today.replace(day=1)
        if match := re.fullmatch(rf"EDATE\({REF},(-?\d+)\)", formula):
            start = self.value(match[1] + match[2])
            return start + relativedelta(months=int(match[3]))
        if match := re.fullmatch(r"PIVOT\.VALUE\((.*)\)", formula):
            return self.pivot_value(*formula_args(match[1]))
        if match := re.fullmatch(rf"SUM\({REF}:{REF}\)", formula):
            col, first, last = match[1], int(match[2]), int(match[4])
            values = [self.value(f"{col}{row}") for row in range(first, last + 1)]
            return sum(value for value in values if not isinstance(value, str))
        if match := re.fullmatch(rf'IFERROR\({REF}/{REF},""\)', formula):
            numerator = self.value(match[1] + match[2]) or 0
            denominator = self.value(match[3] + match[4]) or 0
            return numerator / denominator if denominator else ""
        if match := re.fullmatch(REF, formula):
            return self.value(match[1] + match[2])
        raise NotImplementedError(formula)

    def filter_domain(self, pivot):
        domain = []
        for flt_id, matching in pivot["fieldMatching"].items():
            flt = next(f for f in self.filters.values() if f["id"] == flt_id)
            value = self.filter_values.get(flt["label"])
            if not value:
                continue
            if flt["type"] == "relation":
                domain.append((matching["chain"], "in", value))
            elif flt["type"] == "text":
                domain.append((matching["chain"], "ilike", value))
            else:
                domain += [
                    (matching["chain"], ">=", value[0]),
                    (matching["chain"], "<=", value[1]),
                ]
        return domain

    def pivot_value(self, formula_id, measure_id, *dimensions):
        pivot = self.pivots[formula_id]
        measure = next(m for m in pivot["measures"] if m["id"] == measure_id)
        aggregate = (
            "__count"
            if measure["fieldName"] == "__count"
            else f"{measure['fieldName']}:{measure['aggregator']}"
        )
        groupby = list(dimensions[::2])
        wanted = []
        for name, arg in zip(dimensions[::2], dimensions[1::2], strict=True):
            ref = re.fullmatch(REF, arg)
            value = self.value(ref[1] + ref[2]) if ref else arg
            if name.endswith(":month"):
                value = value.replace(day=1)
            wanted.append(value)
        model = self.env[pivot["model"]]
        rows = model._read_group(
            pivot["domain"] + self.filter_domain(pivot), groupby, [aggregate]
        )
        for row in rows:
            keys = [key.id if hasattr(key, "_name") else key for key in row[:-1]]
            if keys == wanted:
                return row[-1]
        return ""


@tagged("post_install", "-at_install")
class TestDashboardFigures(QlibraCase):
    """The key figures of the dashboard, from the pivots it defines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.manager_user)
        this_month = cls.today.replace(day=1)
        last_month = this_month - relativedelta(months=1)
        two_months_ago = this_month - relativedelta(months=2)
        start = this_month - relativedelta(months=6)
        # Hourly client: 40% margin in the trailing window
        cls.hourly = cls._contract(
            cls.client, "hourly", start, hourly_rate=100.0, user_id=cls.manager_user.id
        )
        task = cls._task(cls._project(cls.client, cls.hourly))
        cls._log(task, cls.senior, last_month + relativedelta(days=3), 10.0)
        cls._log(task, cls.senior, two_months_ago + relativedelta(days=5), 5.0)
        # A client without contract: time no contract covers
        cls.uncovered = cls._client("Client Without Contract")
        task = cls._task(cls._project(cls.uncovered))
        cls._log(task, cls.junior, last_month + relativedelta(days=4), 3.0)
        # A client whose fee does not cover the work
        cls.losing = cls._client("Client Losing Money")
        cheap = cls._contract(cls.losing, "hourly", start, hourly_rate=10.0)
        task = cls._task(cls._project(cls.losing, cheap))
        cls._log(task, cls.senior, last_month + relativedelta(days=6), 10.0)
        # Internal time: a project of the firm itself
        cls.internal = cls.company.partner_id
        task = cls._task(cls._project(cls.internal))
        cls._log(task, cls.senior, last_month + relativedelta(days=7), 4.0)
        cls.env.flush_all()
        cls.data = load_dashboard()

    def _evaluator(self, **filter_values):
        return DashboardEvaluator(
            self.env(user=self.manager_user), self.data, self.today, filter_values
        )

    def test_key_figures(self):
        clients = (self.client | self.uncovered).ids
        sheet = self._evaluator(Client=clients)
        # Last month: 10 h x 100 - 10 h x 60 (client), 3 h x 30 uncovered
        self.assertAlmostEqual(sheet.value("B19"), 1000.0)
        self.assertAlmostEqual(sheet.value("B20"), 600.0 + 90.0)
        self.assertAlmostEqual(sheet.value("B21"), 310.0)
        self.assertAlmostEqual(sheet.value("B22"), 0.31)
        self.assertAlmostEqual(sheet.value("B23"), 13.0)
        self.assertAlmostEqual(sheet.value("B24"), 3.0)
        # Last 3 full months: plus 5 h x 100 - 5 h x 60
        self.assertAlmostEqual(sheet.value("C21"), 510.0)
        self.assertAlmostEqual(sheet.value("C22"), 510.0 / 1500.0)
        self.assertAlmostEqual(sheet.value("C24"), 3.0)

    def test_same_as_client_form(self):
        """The trailing margin is the one qlibra_task shows on the client."""
        sheet = self._evaluator(Client=self.client.ids)
        client = self.client.with_user(self.manager_user)
        self.assertAlmostEqual(sheet.value("C21"), client.qlibra_trailing_margin)
        self.assertAlmostEqual(sheet.value("C19"), client.qlibra_trailing_revenue)
        self.assertAlmostEqual(sheet.value("C20"), client.qlibra_trailing_cost)

    def test_filters(self):
        by_manager = self._evaluator(**{"Account Manager": self.manager_user.ids})
        by_type = self._evaluator(**{"Contract Type": "hourly"})
        self.assertAlmostEqual(by_manager.value("C21"), 600.0)
        # the uncovered hours have no contract type
        self.assertEqual(by_type.value("B24"), "")
        self.assertEqual(self._evaluator(Client=self.uncovered.ids).value("B24"), 3.0)

    def test_internal_time_excluded(self):
        sheet = self._evaluator(Client=self.internal.ids)
        self.assertEqual(sheet.value("B23"), "")
        self.assertEqual(sheet.value("C20"), 0)

    def test_clients_flagged(self):
        self.assertEqual(self._evaluator(Client=self.losing.ids).value("B25"), 1)
        self.assertEqual(self._evaluator(Client=self.losing.ids).value("B26"), 1)
        self.assertEqual(self._evaluator(Client=self.client.ids).value("B25"), 0)
        self.assertEqual(self._evaluator(Client=self.client.ids).value("B26"), 0)
