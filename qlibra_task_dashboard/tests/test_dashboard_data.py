# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import copy
import json
from datetime import date

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import file_open
from odoo.tools.translate import PoFileReader, extract_spreadsheet_terms

from .common import (
    DASHBOARD_FILE,
    DASHBOARD_XMLID,
    check_dashboard,
    data_sources,
    load_dashboard,
    source_domain,
    source_model,
)


def filter_domain(flt, chain, values):
    """Domain a global filter adds to a data source (as Odoo's spreadsheet)."""
    if flt["type"] == "relation":
        return [(chain, "in", values["relation"][flt["modelName"]])]
    if flt["type"] == "text":
        return [(chain, "ilike", values["text"])]
    return [(chain, ">=", values["date"][0]), (chain, "<=", values["date"][1])]


def first_pivot(data):
    return next(iter(data["pivots"].values()))


@tagged("post_install", "-at_install", "qlibra_sales")
class TestDashboardData(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = load_dashboard()
        cls.manager = new_test_user(
            cls.env,
            login="qdash_data_manager",
            groups="base.group_user,qlibra_task.group_qlibra_manager",
        )

    def test_record_holds_the_file(self):
        dashboard = self.env.ref(DASHBOARD_XMLID)
        self.assertEqual(json.loads(dashboard.spreadsheet_data), self.data)
        self.assertEqual(
            dashboard.group_ids, self.env.ref("qlibra_task.group_qlibra_manager")
        )

    def test_definition_matches_database(self):
        """Every model, field, measure, domain, filter matching and formula of
        the dashboard exists."""
        self.assertEqual(check_dashboard(self.env, self.data), [])
        kinds = {kind for kind, _id, _definition in data_sources(self.data)}
        self.assertEqual(kinds, {"pivot", "list"})

    def test_contract_type_filter_offers_every_type(self):
        """The Contract Type filter's values (a range of the Data sheet, kept
        in the JSON by hand) are the analysis's contract types, "none" too."""
        flt = next(f for f in self.data["globalFilters"] if f["type"] == "text")
        sheet_name, cells = flt["rangeOfAllowedValues"].split("!")
        first, last = cells.split(":")
        sheet = next(s for s in self.data["sheets"] if s["name"] == sheet_name)
        values = [
            sheet["cells"][f"{first[0]}{row}"]["content"]
            for row in range(int(first[1:]), int(last[1:]) + 1)
        ]
        field = self.env["qlibra.profitability.report"]._fields["contract_type"]
        self.assertEqual(values, [key for key, _label in field.selection])

    def test_check_catches_wrong_names(self):
        """The check above fails on any misspelt name."""
        breakages = {
            "measure": lambda d: first_pivot(d)["measures"][0].update(
                fieldName="margins"
            ),
            "dimension": lambda d: first_pivot(d)["rows"][0].update(fieldName="month"),
            "domain": lambda d: d["lists"]["1"]["domain"].append(
                ["qlibra_lost_money", "=", True]
            ),
            "list column": lambda d: d["lists"]["2"]["columns"].append("qlibra_loss"),
            "filter chain": lambda d: next(
                iter(first_pivot(d)["fieldMatching"].values())
            ).update(chain="contract_id.account_manager_id"),
            "model": lambda d: d["lists"]["1"].update(model="qlibra.client"),
            "formula measure": lambda d: d["sheets"][1]["cells"]["B4"].update(
                content='=PIVOT.VALUE(1,"profit:sum","date:month",$A4)'
            ),
            "formula pivot": lambda d: d["sheets"][1]["cells"]["B4"].update(
                content='=PIVOT.VALUE(99,"revenue:sum")'
            ),
            "formula list column": lambda d: d["sheets"][0]["cells"].update(
                {"Z1": {"content": '=ODOO.LIST(1,1,"qlibra_fee")'}}
            ),
        }
        for name, breakage in breakages.items():
            with self.subTest(breakage=name):
                data = copy.deepcopy(self.data)
                breakage(data)
                self.assertTrue(check_dashboard(self.env, data))

    def test_data_sources_run(self):
        """A manager runs every data source, with every global filter set."""
        env = self.env(user=self.manager)
        client = self.env["res.partner"].create({"name": "Filter Client"})
        values = {
            "relation": {"res.partner": client.ids, "res.users": self.manager.ids},
            "text": "subscription",
            "date": (date(2026, 1, 1), date(2026, 12, 31)),
        }
        filters = {flt["id"]: flt for flt in self.data["globalFilters"]}
        for kind, source_id, definition in data_sources(self.data):
            model = env[source_model(kind, definition)]
            domain = list(source_domain(kind, definition))
            for filter_id, matching in definition["fieldMatching"].items():
                domain += filter_domain(filters[filter_id], matching["chain"], values)
            with self.subTest(source=f"{kind} {source_id}"):
                if kind == "list":
                    model.search_read(domain, definition["columns"], limit=20)
                    continue
                groupby = [
                    dim["fieldName"]
                    + (f":{dim['granularity']}" if dim.get("granularity") else "")
                    for dim in definition["rows"] + definition["columns"]
                ]
                aggregates = [
                    "__count"
                    if measure["fieldName"] == "__count"
                    else f"{measure['fieldName']}:{measure['aggregator']}"
                    for measure in definition["measures"]
                ]
                model.read_group(domain, aggregates, groupby, lazy=False)

    def test_terms_translated(self):
        """Every string Odoo extracts from the dashboard has a Bulgarian
        translation."""
        with file_open(DASHBOARD_FILE, "rb") as file:
            terms = {
                term for *_x, term, _c in extract_spreadsheet_terms(file, [], [], {})
            }
        with file_open("qlibra_task_dashboard/i18n/bg.po", "rb") as file:
            translated = {
                entry["src"] for entry in PoFileReader(file) if entry["value"]
            }
        self.assertTrue(terms)
        self.assertEqual(terms - translated, set())

    def test_only_ratios_are_percentages(self):
        """Regression: the key-figures table showed its Margin row as a
        percentage. In every sheet, a cell formatted as a percentage holds a
        ratio (IFERROR of a division) or a reference to one."""
        percent = {
            key for key, fmt in self.data["formats"].items() if fmt.endswith("%")
        }
        sheets = {sheet["name"]: sheet for sheet in self.data["sheets"]}

        def content(sheet, ref):
            return sheet["cells"].get(ref, {}).get("content", "")

        def is_ratio(sheet, ref):
            text = content(sheet, ref)
            if text.startswith("=IFERROR(") and "/" in text:
                return True
            if text.startswith("=Data!"):
                return is_ratio(sheets["Data"], text[len("=Data!") :])
            return False

        def cells(zone):
            first, _sep, last = zone.partition(":")
            last = last or first
            col_a, row_a = first[0], int(first[1:])
            col_b, row_b = last[0], int(last[1:])
            for col in range(ord(col_a), ord(col_b) + 1):
                for row in range(row_a, row_b + 1):
                    yield f"{chr(col)}{row}"

        checked = 0
        for sheet in self.data["sheets"]:
            for zone, fmt in sheet.get("formats", {}).items():
                if str(fmt) not in percent:
                    continue
                for ref in cells(zone):
                    if content(sheet, ref):
                        checked += 1
                        self.assertTrue(
                            is_ratio(sheet, ref),
                            f"{sheet['name']}!{ref} is a percentage but holds "
                            f"{content(sheet, ref)!r}",
                        )
        self.assertGreater(checked, 0)
