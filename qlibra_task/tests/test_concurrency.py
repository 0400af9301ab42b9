# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import threading
from datetime import date

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestConcurrentTimeEntry(TransactionCase):
    """Two people logging time under the same month key (employee, project,
    task, month) never wait on each other or fail because of the analysis,
    nor does time entry wait for a recomputation of a contract's lines: the
    analysis reads the lines themselves. Only a subscription's month is
    stored (qlibra_contract_month): of two people changing the same month at
    once, the second to commit fails to serialize and is retried, as Odoo
    retries a request, and the month holds both. (The lines have no task:
    two lines of one task also share Odoo's own stored task totals.)

    The fixture is committed through its own cursors, as two workers need
    data they both see, and is removed at the end.
    """

    def _commit_fixture(self, contract_type="hourly"):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            employee = env["hr.employee"].create(
                {"name": "Concurrent Logger", "hourly_cost": 20.0}
            )
            client = env["res.partner"].create(
                {"name": "Concurrent Time Client", "is_company": True}
            )
            terms = {
                "hourly": {"hourly_rate": 100.0},
                "subscription": {
                    "monthly_fee": 100.0,
                    "included_hours": 2.0,
                    "overage_rate": 10.0,
                },
            }[contract_type]
            contract = env["qlibra.contract"].create(
                {
                    "partner_id": client.id,
                    "contract_type": contract_type,
                    "date_start": date(2025, 1, 1),
                    "target_margin": 30.0,
                    **terms,
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
        """The contract's time as the analysis reads it, on a new connection."""
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT SUM(hours), SUM(cost), SUM(contract_revenue), COUNT(*)
                     FROM qlibra_profitability_report
                    WHERE contract_id = %s AND row_type = 'time'""",
                [contract_id],
            )
            hours, cost, revenue, count = cr.fetchone()
        return hours, float(cost), float(revenue), count

    def test_same_subscription_month_one_after_the_other(self):
        ids = self._commit_fixture("subscription")
        self.addCleanup(self._drop_fixture, ids)
        first, second = ids["lines"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            self._set_hours(cr_a, first, 3.0)

            def b_edits(env_b):
                env_b["account.analytic.line"].browse(second).unit_amount = 5.0

            self.assertEqual(self._run_b(cr_b, b_edits), "committed")
            # A's month was computed without B's hours: it cannot commit...
            with (
                self.assertRaises(psycopg2.errors.SerializationFailure),
                mute_logger("odoo.sql_db"),
            ):
                cr_a.commit()
            cr_a.rollback()
            # ... and Odoo's retry of A's request sees them.
            self._set_hours(cr_a, first, 3.0)
            cr_a.commit()
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT hours, overage_hours FROM qlibra_contract_month
                    WHERE contract_id = %s AND date = '2025-03-01'""",
                [ids["contract"]],
            )
            self.assertEqual(cr.fetchall(), [(8.0, 6.0)])

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

    def test_past_month_and_later_month_of_a_retainer_at_once(self):
        """A edits January of a retainer (its unused hours roll over into
        March), B logs in March at once: whichever commits second retries,
        and every stored month equals a recomputation from the lines."""
        ids = self._commit_fixture("subscription")
        self.addCleanup(self._drop_fixture, ids)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["qlibra.contract"].browse(ids["contract"]).write(
                {"rollover_max_hours": 2.0, "rollover_months": 3}
            )
            january = env["account.analytic.line"].create(
                {
                    "name": "January",
                    "project_id": ids["project"],
                    "employee_id": ids["employee"],
                    "date": date(2025, 1, 10),
                    "unit_amount": 1.5,
                }
            )
            ids["lines"].append(january.id)
        _first, second = ids["lines"][:2]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            self._set_hours(cr_a, january.id, 0.5)

            def b_logs(env_b):
                env_b["account.analytic.line"].browse(second).unit_amount = 2.5

            self.assertEqual(self._run_b(cr_b, b_logs), "committed")
            try:
                with mute_logger("odoo.sql_db"):
                    cr_a.commit()
            except psycopg2.errors.SerializationFailure:
                cr_a.rollback()
                self._set_hours(cr_a, january.id, 0.5)
                cr_a.commit()
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT date, hours, carried_in, used_carried, overage_hours
                     FROM qlibra_contract_month WHERE contract_id = %s
                    ORDER BY date""",
                [ids["contract"]],
            )
            stored = cr.fetchall()
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["qlibra.contract"]._qlibra_refill_months()
            cr.execute(
                """SELECT date, hours, carried_in, used_carried, overage_hours
                     FROM qlibra_contract_month WHERE contract_id = %s
                    ORDER BY date""",
                [ids["contract"]],
            )
            self.assertEqual(stored, cr.fetchall())
            cr.rollback()
        by_month = {row[0]: row[1:] for row in stored}
        # January: 0.5 of 2 h used, 1.5 carried; March: 1 + 2.5 h, 2 included,
        # 1.5 carried -> no overage (February's own 2 h carried too).
        self.assertEqual(by_month[date(2025, 1, 1)][0], 0.5)
        self.assertEqual(by_month[date(2025, 3, 1)][:2], (3.5, 3.5))
        self.assertEqual(by_month[date(2025, 3, 1)][2:], (1.5, 0.0))

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


@tagged("post_install", "-at_install")
class TestConcurrentContracts(TransactionCase):
    """Two people acting at once get the figures they would get one after
    the other (SPEC, Lifecycle): each acts on its own connection and commits,
    as two Odoo workers do; the fixture is committed and removed likewise."""

    def _commit_fixture(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            employee = env["hr.employee"].create(
                {"name": "Concurrent Contract Logger", "hourly_cost": 20.0}
            )
            client = env["res.partner"].create(
                {"name": "Concurrent Contract Client", "is_company": True}
            )
            project = env["project.project"].create(
                {
                    "name": "Concurrent Contract Project",
                    "partner_id": client.id,
                    "allow_timesheets": True,
                }
            )
            ids = {
                "employee": employee.id,
                "work_contact": employee.work_contact_id.id,
                "client": client.id,
                "project": project.id,
                "account": project.account_id.id,
            }
        self.addCleanup(self._drop_fixture, ids)
        return ids

    def _drop_fixture(self, ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["account.analytic.line"].search(
                [("project_id", "=", ids["project"])]
            ).unlink()
            env["qlibra.contract"].with_context(active_test=False).search(
                [("partner_id", "=", ids["client"])]
            ).unlink()
            env["project.project"].browse(ids["project"]).unlink()
            env["account.analytic.account"].browse(ids["account"]).exists().unlink()
            env["res.partner"].browse(ids["client"]).unlink()
            env["hr.employee"].browse(ids["employee"]).unlink()
            env["res.partner"].browse(ids["work_contact"]).exists().unlink()

    def _env(self, cr):
        cr.execute("SET LOCAL lock_timeout = '5s'")
        # Not looked up by name: the loading thread holds the registry lock.
        cr.transaction = api.Transaction(self.registry)
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def _contract_vals(self, ids, **vals):
        return {
            "partner_id": ids["client"],
            "contract_type": "hourly",
            "date_start": date(2025, 1, 1),
            "hourly_rate": 100.0,
            **vals,
        }

    def _log(self, env, ids):
        line = env["account.analytic.line"].create(
            {
                "name": "Logged meanwhile",
                "project_id": ids["project"],
                "employee_id": ids["employee"],
                "date": date(2025, 3, 3),
                "unit_amount": 2.0,
            }
        )
        env.flush_all()
        return line.id

    def _line_figures(self, line_id):
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT c.partner_id, l.qlibra_revenue
                     FROM account_analytic_line l
                LEFT JOIN qlibra_contract c ON c.id = l.qlibra_contract_id
                    WHERE l.id = %s""",
                [line_id],
            )
            client, revenue = cr.fetchone()
        return client, float(revenue or 0)

    def test_time_logged_while_the_contract_is_created(self):
        ids = self._commit_fixture()
        result = {}

        def worker_b():
            try:
                with self.registry.cursor() as cr_b:
                    result["line"] = self._log(self._env(cr_b), ids)
                    cr_b.commit()
                result["b"] = "committed"
            except Exception as error:  # reported by the assertions below
                result["b"] = error

        # B logs its refusal after A has committed: muted until B ends.
        with mute_logger("odoo.sql_db"):
            with self.registry.cursor() as cr_a:
                # A creates the contract; before A saves, B logs time and saves.
                env_a = self._env(cr_a)
                env_a["qlibra.contract"].create(self._contract_vals(ids))
                env_a.flush_all()
                thread = threading.Thread(target=worker_b)
                thread.start()
                # B's save waits for A's: its lines were resolved without A's
                # contract.
                thread.join(timeout=1)
                self.assertTrue(thread.is_alive(), f"B did not wait for A: {result}")
                cr_a.commit()
            thread.join(timeout=30)
        self.assertFalse(thread.is_alive(), "worker B is stuck")
        self.assertIsInstance(result["b"], psycopg2.errors.SerializationFailure)
        # Odoo retries such a request: the retry sees A's contract.
        with self.registry.cursor() as cr_b:
            line_id = self._log(self._env(cr_b), ids)
        self.assertEqual(self._line_figures(line_id), (ids["client"], 200.0))

    def test_contract_created_while_time_is_logged(self):
        ids = self._commit_fixture()
        with mute_logger("odoo.sql_db"), self.registry.cursor() as cr_a:
            with self.registry.cursor() as cr_b:
                # B logs time; before B saves, A creates the contract and
                # saves: B's save fails to serialize, as B's lines were
                # resolved without the contract.
                self._log(self._env(cr_b), ids)
                env_a = self._env(cr_a)
                env_a["qlibra.contract"].create(self._contract_vals(ids))
                cr_a.commit()
                with self.assertRaises(psycopg2.errors.SerializationFailure):
                    cr_b.commit()
        # Odoo retries such a request: the retry sees A's contract.
        with self.registry.cursor() as cr_b:
            line_id = self._log(self._env(cr_b), ids)
        self.assertEqual(self._line_figures(line_id), (ids["client"], 200.0))

    def test_time_saved_while_the_contract_is_being_saved(self):
        ids = self._commit_fixture()
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            # A's save has begun (it sees the database as it is now); B logs
            # time and saves; A creates the contract, which cannot see B's
            # line, and saves: the line is resolved once A has committed.
            env_a = self._env(cr_a)
            cr_a.execute("SELECT 1")
            line_id = self._log(self._env(cr_b), ids)
            cr_b.commit()
            env_a["qlibra.contract"].create(self._contract_vals(ids))
            env_a.flush_all()
            cr_a.execute(
                "SELECT qlibra_contract_id FROM account_analytic_line WHERE id = %s",
                [line_id],
            )
            self.assertEqual(cr_a.fetchall(), [], "A saw B's line after all")
            cr_a.commit()
        self.assertEqual(self._line_figures(line_id), (ids["client"], 200.0))

    def test_two_overlapping_contracts_saved_at_once(self):
        ids = self._commit_fixture()
        result = {}

        def worker_b():
            try:
                with self.registry.cursor() as cr_b:
                    env_b = self._env(cr_b)
                    env_b["qlibra.contract"].create(
                        self._contract_vals(ids, hourly_rate=120.0)
                    )
                    env_b.flush_all()
                    cr_b.commit()
                result["b"] = "committed"
            except Exception as error:  # reported by the assertions below
                result["b"] = error

        # B logs its refusal after A has committed: muted until B ends.
        with mute_logger("odoo.sql_db"):
            with self.registry.cursor() as cr_a:
                env_a = self._env(cr_a)
                env_a["qlibra.contract"].create(self._contract_vals(ids))
                env_a.flush_all()
                thread = threading.Thread(target=worker_b)
                thread.start()
                # B is waiting for A: it must not pass its own check meanwhile.
                thread.join(timeout=1)
                self.assertTrue(thread.is_alive(), f"B did not wait for A: {result}")
                cr_a.commit()
            thread.join(timeout=30)
        self.assertFalse(thread.is_alive(), "worker B is stuck")
        self.assertIsInstance(result["b"], psycopg2.errors.SerializationFailure)
        # Odoo retries such a request: the retry sees A's contract and refuses.
        with self.assertRaises(ValidationError), self.registry.cursor() as cr_b:
            self._env(cr_b)["qlibra.contract"].create(
                self._contract_vals(ids, hourly_rate=120.0)
            )
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM qlibra_contract WHERE partner_id = %s",
                [ids["client"]],
            )
            self.assertEqual(cr.fetchone()[0], 1)
