# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading
from datetime import date

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestConcurrentTimeEntry(TransactionCase):
    """Two people logging time under the same month key (employee, project,
    task, month) never wait on each other or fail because of the analysis,
    nor does time entry wait for a recomputation of a contract's lines: the
    analysis month table only ever receives new rows. (The lines have no
    task: two lines of one task also share Odoo's own stored task totals.)

    The fixture is committed through its own cursors, as two workers need
    data they both see, and is removed at the end.
    """

    def _commit_fixture(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            employee = env["hr.employee"].create(
                {"name": "Concurrent Logger", "hourly_cost": 20.0}
            )
            client = env["res.partner"].create(
                {"name": "Concurrent Time Client", "is_company": True}
            )
            contract = env["qlibra.contract"].create(
                {
                    "partner_id": client.id,
                    "contract_type": "hourly",
                    "date_start": date(2025, 1, 1),
                    "hourly_rate": 100.0,
                    "target_margin": 30.0,
                }
            )
            project = env["project.project"].create(
                {
                    "name": "Concurrent Time Project",
                    "partner_id": client.id,
                    "allow_timesheets": True,
                    "qlibra_contract_id": contract.id,
                }
            )
            lines = env["account.analytic.line"].create(
                [
                    {
                        "name": f"Entry {n}",
                        "project_id": project.id,
                        "employee_id": employee.id,
                        "date": date(2025, 3, 3 + n),
                        "unit_amount": 1.0,
                    }
                    for n in range(2)
                ]
            )
            return {
                "employee": employee.id,
                "work_contact": employee.work_contact_id.id,
                "client": client.id,
                "contract": contract.id,
                "project": project.id,
                "account": project.account_id.id,
                "lines": lines.ids,
            }

    def _drop_fixture(self, ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["account.analytic.line"].browse(ids["lines"]).unlink()
            env["project.project"].browse(ids["project"]).unlink()
            env["account.analytic.account"].browse(ids["account"]).exists().unlink()
            env["qlibra.contract"].browse(ids["contract"]).unlink()
            env["res.partner"].browse(ids["client"]).unlink()
            env["hr.employee"].browse(ids["employee"]).unlink()
            env["res.partner"].browse(ids["work_contact"]).exists().unlink()

    def _set_hours(self, cr, line_id, hours):
        env = api.Environment(cr, SUPERUSER_ID, {})
        env["account.analytic.line"].browse(line_id).unit_amount = hours
        env.flush_all()

    def _run_b(self, cr_b, work):
        """Run work(env_b) in a thread that gives up after 3 s of waiting for
        a lock; return "committed" or the error."""
        # Built here: the registry lock is held while tests run at install.
        env_b = api.Environment(cr_b, SUPERUSER_ID, {})
        cr_b.execute("SET LOCAL lock_timeout = '3s'")
        result = {}

        def worker_b():
            try:
                work(env_b)
                env_b.flush_all()
                cr_b.commit()
                result["b"] = "committed"
            except Exception as error:  # reported by the caller's assertion
                result["b"] = error

        thread = threading.Thread(target=worker_b)
        thread.start()
        thread.join(timeout=30)
        self.assertFalse(thread.is_alive(), "worker B is stuck")
        return result.get("b")

    def _month_sums(self, contract_id):
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT SUM(hours), SUM(cost), SUM(revenue), SUM(line_count)
                     FROM qlibra_profitability_month WHERE contract_id = %s""",
                [contract_id],
            )
            hours, cost, revenue, count = cr.fetchone()
        return hours, float(cost), float(revenue), count

    def test_same_key_does_not_block(self):
        ids = self._commit_fixture()
        self.addCleanup(self._drop_fixture, ids)
        first, second = ids["lines"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            # A changes its line and has not committed yet.
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_a["account.analytic.line"].browse(first).unit_amount = 3.0
            env_a.flush_all()

            def b_edits(env_b):
                env_b["account.analytic.line"].browse(second).unit_amount = 5.0

            self.assertEqual(self._run_b(cr_b, b_edits), "committed")
            cr_a.commit()
        hours, cost, revenue, count = self._month_sums(ids["contract"])
        self.assertAlmostEqual(hours, 8.0)
        self.assertAlmostEqual(revenue, 800.0)
        self.assertEqual(count, 2)
        overhead = 1 + self.env.company.qlibra_overhead_rate / 100
        self.assertAlmostEqual(cost, round(8.0 * 20.0 * overhead, 2))

    def test_import_does_not_block_time_entry(self):
        ids = self._commit_fixture()
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            # A imports a month of time on the same key, not committed yet.
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            imported = env_a["account.analytic.line"].create(
                [
                    {
                        "name": f"Imported {day}",
                        "project_id": ids["project"],
                        "employee_id": ids["employee"],
                        "date": date(2025, 3, day),
                        "unit_amount": 0.5,
                    }
                    for day in range(1, 21)
                ]
            )
            env_a.flush_all()
            created = []

            def b_logs(env_b):
                line = env_b["account.analytic.line"].create(
                    {
                        "name": "Entry during the import",
                        "project_id": ids["project"],
                        "employee_id": ids["employee"],
                        "date": date(2025, 3, 25),
                        "unit_amount": 2.0,
                    }
                )
                created.append(line.id)

            self.assertEqual(self._run_b(cr_b, b_logs), "committed")
            cr_a.commit()
        ids["lines"] += imported.ids + created
        self.addCleanup(self._drop_fixture, ids)
        hours, _cost, revenue, count = self._month_sums(ids["contract"])
        self.assertAlmostEqual(hours, 2.0 + 10.0 + 2.0)
        self.assertAlmostEqual(revenue, 14.0 * 100.0)
        self.assertEqual(count, 23)
