"""Generate the Client Profitability dashboard's spreadsheet.

Odoo Community has no dashboard editor: the layout of
qlibra_task_dashboard/data/files/client_profitability_dashboard.json is kept
here, and the JSON is regenerated from it (ids are stable uuid5 values):

    .venv/bin/python setup/gen_dashboard.py \
        qlibra_task_dashboard/data/files/client_profitability_dashboard.json

The add-on's tests check every model, field and measure the JSON names.
"""

import importlib.util
import json
import sys
import uuid
from pathlib import Path

NS = uuid.UUID("6f1c2a52-6b0e-4c55-9d0a-1f2e3d4c5b6a")


def uid(name):
    return str(uuid.uuid5(NS, name))


REPORT = "qlibra.profitability.report"
PARTNER = "res.partner"
ACTION = "qlibra_task.qlibra_profitability_report_action"

F_PERIOD = uid("filter-period")
F_CLIENT = uid("filter-client")
F_MANAGER = uid("filter-manager")
F_TYPE = uid("filter-contract-type")
F_MONTH = uid("filter-consumption-month")

# The contract types from their one table (a plain module, no Odoo import).
_spec = importlib.util.spec_from_file_location(
    "contract_type",
    Path(__file__).parent.parent / "qlibra_task" / "models" / "contract_type.py",
)
contract_type = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(contract_type)
CONTRACT_TYPES = [*contract_type.TYPES, "none"]


def date_filter(fid, label, default):
    return {"id": fid, "type": "date", "label": label, "defaultValue": default} | {
        "rangeType": "fixedPeriod",
        "disabledPeriods": [],
    }


def relation_filter(fid, label, model):
    return {"id": fid, "type": "relation", "label": label, "modelName": model} | {
        "defaultValue": [],
        "defaultValueDisplayNames": [],
        "includeChildren": False,
    }


global_filters = [
    date_filter(F_PERIOD, "Period", "this_year"),
    relation_filter(F_CLIENT, "Client", "res.partner"),
    relation_filter(F_MANAGER, "Account Manager", "res.users"),
    {"id": F_TYPE, "type": "text", "label": "Contract Type", "defaultValue": ""}
    | {"rangeOfAllowedValues": "Data!A31:A35"},
    date_filter(F_MONTH, "Consumption Month", "this_month"),
]


def report_matching(period=None):
    """Field matching of a data source on the analysis: client, account
    manager and contract type always; the date filter given, if any."""
    matching = {
        F_CLIENT: {"chain": "partner_id", "type": "many2one"},
        F_MANAGER: {"chain": "contract_id.user_id", "type": "many2one"},
        F_TYPE: {"chain": "contract_type", "type": "selection"},
    }
    if period:
        matching[period] = {"chain": "date", "type": "date", "offset": 0}
    return matching


PARTNER_MATCHING = {
    F_CLIENT: {"chain": "commercial_partner_id", "type": "many2one"},
    F_MANAGER: {"chain": "qlibra_contract_ids.user_id", "type": "many2one"},
    F_TYPE: {"chain": "qlibra_contract_ids.contract_type", "type": "selection"},
}

CLIENT_TIME = [["is_internal", "=", False]]
LOSING = [["qlibra_losing_money", "=", True], ["partner_share", "=", True]]
RENEGOTIATE = [["qlibra_to_renegotiate", "=", True], ["partner_share", "=", True]]


def measures(*names):
    return [
        {"id": f"{name}:sum", "fieldName": name, "aggregator": "sum"} for name in names
    ]


MONEY = ("revenue", "cost", "margin", "hours")
COUNT = [{"id": "__count", "fieldName": "__count"}]
BY_MONTH = [{"fieldName": "date", "granularity": "month", "order": "asc"}]
BY_TYPE = [{"fieldName": "contract_type"}]
BY_CLIENT = [{"fieldName": "partner_id"}]
# A client's consumption (as on its form, qlibra_task's res.partner): its
# subscriptions' hours in the month / the hours they include in it. Both sums
# come from the same rows: hours from the time, included_hours from the fee
# (pro rata by days in a partial month), so one pivot gives both.
CONSUMPTION = ("hours", "included_hours", "change_request_hours", "revenue")
CONSUMPTION += ("margin", "carried_hours")
SUBSCRIPTIONS = REPORT, [*CLIENT_TIME, ["contract_type", "=", "subscription"]]
CONSUMED = "Subscription consumption by client"
PIVOTS = [
    # name, rows, columns, model/domain, measures, date filter, sorted by
    ("Client profitability by month and contract type", BY_MONTH, BY_TYPE),
    ("Client profitability of the period", [], BY_TYPE, None, None, F_PERIOD),
    ("Top clients by margin", BY_CLIENT, [], None, None, F_PERIOD, "margin"),
    ("Bottom clients by margin", BY_CLIENT, [], None, None, F_PERIOD, "margin asc"),
    (CONSUMED, BY_CLIENT, [], SUBSCRIPTIONS, CONSUMPTION, F_MONTH, "hours"),
    ("Clients losing money", [], [], (PARTNER, LOSING), COUNT),
    ("Clients to renegotiate", [], [], (PARTNER, RENEGOTIATE), COUNT),
]
pivots = {}
for formula_id, (name, rows, columns, *more) in enumerate(PIVOTS, start=1):
    source, measure_list, period, sort = more + [None] * (4 - len(more))
    model, domain = source or (REPORT, CLIENT_TIME)
    sort, _space, order = (sort or "").partition(" ")
    pid = uid(f"pivot-{formula_id}")
    pivots[pid] = {
        "type": "ODOO",
        "id": pid,
        "formulaId": str(formula_id),
        "name": name,
        "model": model,
        "domain": domain,
        "context": {},
        "measures": measure_list
        if measure_list == COUNT
        else measures(*measure_list or MONEY),
        "rows": rows,
        "columns": columns,
        "sortedColumn": (
            {"groupId": [[], []], "measure": sort, "order": order or "desc"}
            if sort
            else None
        ),
        "fieldMatching": report_matching(period)
        if model == REPORT
        else PARTNER_MATCHING,
        **({"actionXmlId": ACTION} if model == REPORT else {}),
    }

# The two lists of clients: (title, domain, [(column label, field)]).
LISTS = [
    (
        "Clients to renegotiate",
        RENEGOTIATE,
        [
            ("Client", "name"),
            ("Margin, last 3 months (%)", "qlibra_trailing_margin_percent"),
            ("Target margin (%)", "qlibra_target_margin"),
            ("Current fee", "qlibra_current_fee"),
            ("Suggested fee", "qlibra_suggested_fee"),
        ],
    ),
    (
        "Clients losing money",
        LOSING,
        [
            ("Client", "name"),
            ("Revenue, last 3 months", "qlibra_trailing_revenue"),
            ("Cost, last 3 months", "qlibra_trailing_cost"),
            ("Margin, last 3 months", "qlibra_trailing_margin"),
        ],
    ),
]
lists = {
    str(i): {
        "id": str(i),
        "name": name,
        "model": PARTNER,
        "columns": [fname for _label, fname in columns],
        "domain": domain,
        "context": {},
        "orderBy": [{"name": "name", "asc": True}],
        "fieldMatching": PARTNER_MATCHING,
    }
    for i, (name, domain, columns) in enumerate(LISTS, start=1)
}


def t(text):
    return f'=_t("{text}")'


# ---------------------------------------------------------------- Data sheet
DASH_PERIODS = ("Last month", "Last 3 months", "Period")
data_cells = {}
data_formats = {}
data_styles = {"A1:H1": 5, "A3:G3": 5, "A18:E18": 5, "A30": 5}


def put(cells, ref, content):
    cells[ref] = {"content": content}


put(data_cells, "A1", t("This month"))
put(data_cells, "B1", "=DATE(YEAR(TODAY()),MONTH(TODAY()),1)")
data_formats["B1"] = 1
for col, label in zip(
    "ABCDEFG",
    ["Month", "Revenue", "Cost", "Margin", "Hours", "Hours without contract", "Label"],
    strict=True,
):
    put(data_cells, f"{col}3", t(label))
for i in range(12):
    row = 4 + i
    put(data_cells, f"A{row}", f"=EDATE($B$1,{i - 12})")
    for col, measure in zip("BCDE", MONEY, strict=True):
        put(
            data_cells,
            f"{col}{row}",
            f'=PIVOT.VALUE(1,"{measure}:sum","date:month",$A{row})',
        )
    put(
        data_cells,
        f"F{row}",
        f'=PIVOT.VALUE(1,"hours:sum","date:month",$A{row},"contract_type","none")',
    )
    put(data_cells, f"G{row}", f'=TEXT($A{row},"mmm yyyy")')
data_formats["A4:A15"] = 1

for col, label in zip("ABCD", ("KPI", *DASH_PERIODS), strict=True):
    put(data_cells, f"{col}18", t(label))
kpis = [
    ("Revenue", "B", "revenue:sum", None),
    ("Cost", "C", "cost:sum", None),
    ("Margin", "D", "margin:sum", None),
    ("Margin (%)", None, None, None),
    ("Hours", "E", "hours:sum", None),
    ("Hours without contract", "F", "hours:sum", "none"),
]
for i, (label, col, measure, ctype) in enumerate(kpis):
    row = 19 + i
    put(data_cells, f"A{row}", t(label))
    if col is None:  # margin % = margin / revenue, empty without revenue
        for c in "BCD":
            put(data_cells, f"{c}{row}", f'=IFERROR({c}21/{c}19,"")')
        data_formats[f"B{row}:D{row}"] = 2
        continue
    put(data_cells, f"B{row}", f"={col}15")
    put(data_cells, f"C{row}", f"=SUM({col}13:{col}15)")
    extra = f',"contract_type","{ctype}"' if ctype else ""
    put(data_cells, f"D{row}", f'=PIVOT.VALUE(2,"{measure}"{extra})')
for ref, content in {
    "A25": t("Clients losing money"),
    "B25": '=PIVOT.VALUE(6,"__count")',
    "A26": t("Clients to renegotiate"),
    "B26": '=PIVOT.VALUE(7,"__count")',
    # Scorecard values
    "E18": t("Scorecard"),
    "E19": "=FORMAT.LARGE.NUMBER(B21)",
    "E20": "=FORMAT.LARGE.NUMBER(C21)",
    "E21": "=ROUND(C24,1)",
    "E22": "=ROUND(B24,1)",
}.items():
    put(data_cells, ref, content)

put(data_cells, "A30", t("Contract types"))
for i, ctype in enumerate(CONTRACT_TYPES):
    put(data_cells, f"A{31 + i}", ctype)

# ----------------------------------------------------------- Dashboard sheet
cells = {}
styles = {}
formats = {}
borders = {}


def title(ref, text):
    put(cells, ref, t(text))
    styles[ref] = 1


def header(row, labels, first_col="A"):
    start = ord(first_col)
    for i, label in enumerate(labels):
        ref = f"{chr(start + i)}{row}"
        put(cells, ref, t(label) if label else "")
        styles[ref] = 2 if i == 0 else 4
    borders[f"{first_col}{row}:{chr(start + len(labels) - 1)}{row}"] = 1


# Key figures
title("A8", "Key figures (clients, internal time excluded)")
header(9, ["", *DASH_PERIODS])
for i in range(len(kpis)):
    row = 10 + i
    put(cells, f"A{row}", f"=Data!A{19 + i}")
    for col in "BCD":
        put(cells, f"{col}{row}", f"=Data!{col}{19 + i}")
styles["A10:D15"] = 3
# Row 13 is Margin (%) (Data row 22): the only percentage of the table.
formats["B13:D13"] = 2

title("A17", "Revenue, cost and margin of the last 12 full months")
CHART_ROW = 18

TOP_ROW = 35
title(f"A{TOP_ROW}", "Top 10 clients by margin (period)")
title(f"A{TOP_ROW + 13}", "Bottom 10 clients by margin (period)")
COLS = ["Client", "Hours", "Revenue", "Cost", "Margin", "Margin (%)"]
for pivot_id, start in ((3, TOP_ROW + 1), (4, TOP_ROW + 14)):
    header(start, COLS)
    for i in range(1, 11):
        row = start + i
        pos = f'"#partner_id",{i}'
        put(cells, f"A{row}", f"=PIVOT.HEADER({pivot_id},{pos})")
        for col, measure in zip(
            "BCDE", ("hours", "revenue", "cost", "margin"), strict=True
        ):
            put(cells, f"{col}{row}", f'=PIVOT.VALUE({pivot_id},"{measure}:sum",{pos})')
        put(cells, f"F{row}", f'=IFERROR(E{row}/C{row},"")')
    styles[f"A{start + 1}:F{start + 10}"] = 3
    formats[f"F{start + 1}:F{start + 10}"] = 2

SUB_ROW = TOP_ROW + 26
title(f"A{SUB_ROW}", "Subscription consumption by client (consumption month)")
# Used / included is empty without included hours (or client); carried
# hours are unused hours of earlier months still usable (rollover).
SUB_COLS = [("Client", None), ("Used hours", "hours")]
SUB_COLS += [("Included hours", "included_hours"), ("Consumption (%)", None)]
SUB_COLS += [("Change-request hours", "change_request_hours")]
SUB_COLS += [("Revenue", "revenue"), ("Margin", "margin")]
SUB_COLS += [("Carried hours", "carried_hours")]
header(SUB_ROW + 1, [label for label, _m in SUB_COLS])
for i in range(1, 16):
    row = SUB_ROW + 1 + i
    pos = f'"#partner_id",{i}'
    for col, (_label, measure) in zip("ABCDEFGH", SUB_COLS, strict=True):
        if col == "A":
            content = f"=PIVOT.HEADER(5,{pos})"
        elif col == "D":
            content = f'=IFERROR(B{row}/C{row},"")'
        else:
            content = f'=PIVOT.VALUE(5,"{measure}:sum",{pos})'
        put(cells, f"{col}{row}", content)
styles[f"A{SUB_ROW + 2}:H{SUB_ROW + 16}"] = 3
formats[f"D{SUB_ROW + 2}:D{SUB_ROW + 16}"] = 2

row = SUB_ROW + 18
for list_id, (name, _domain, columns) in enumerate(LISTS, start=1):
    title(f"A{row}", name)
    header(row + 1, [label for label, _f in columns])
    for i in range(1, 16):
        for j, (_label, fname) in enumerate(columns):
            put(
                cells,
                f"{'ABCDE'[j]}{row + 1 + i}",
                f'=ODOO.LIST({list_id},{i},"{fname}")',
            )
    styles[f"A{row + 2}:{'ABCDE'[len(columns) - 1]}{row + 16}"] = 3
    row += 18
LOSING_ROW = row - 18

ROW_HEIGHT = 23


BLUE, RED, ORANGE = "#EFF6FF", "#FEF2F2", "#FFF7ED"
NO_CONTRACT = "Hours without contract, last 3 months"
# (id, title, key value, baseline, its description, background)
SCORECARDS = [
    ("sc-margin-month", "Margin, last month", "E19", "B22", "margin", BLUE),
    ("sc-margin-trailing", "Margin, last 3 months", "E20", "C22", "margin", BLUE),
    ("sc-no-contract", NO_CONTRACT, "E21", "E22", "last month", RED),
    ("sc-losing", "Clients losing money", "B25", None, None, RED),
    ("sc-renegotiate", "Clients to renegotiate", "B26", None, None, ORANGE),
]
figures = []
for x, (name, title_text, key, baseline, descr, color) in enumerate(SCORECARDS):
    data = {
        "type": "scorecard",
        "title": {"text": title_text, "bold": True, "color": "#434343"},
        "background": color,
        "keyValue": f"Data!{key}",
        "baselineMode": "text",
        "baselineColorDown": "#DC6965",
        "baselineColorUp": "#00A04A",
        "humanize": False,
    }
    if baseline:
        data.update(baseline=f"Data!{baseline}", baselineDescr=descr)
    figures.append(
        {"id": uid(name), "x": 210 * x, "y": 10, "width": 200, "height": 108}
        | {"tag": "chart", "data": data}
    )
figures += [
    {
        "id": uid("chart-months"),
        "x": 0,
        "y": (CHART_ROW - 1) * ROW_HEIGHT,
        "width": 1040,
        "height": 360,
        "tag": "chart",
        "data": {
            "type": "combo",
            "title": {"text": ""},
            "background": "#FFFFFF",
            "legendPosition": "top",
            "dataSetsHaveTitle": True,
            "dataSets": [
                {"dataRange": "Data!B3:B15", "yAxisId": "y", "type": "bar"},
                {"dataRange": "Data!C3:C15", "yAxisId": "y", "type": "bar"},
                {"dataRange": "Data!D3:D15", "yAxisId": "y", "type": "line"},
            ],
            "labelRange": "Data!G4:G15",
            "aggregated": False,
            "axesDesign": {},
            "showValues": False,
        },
    },
]


def sheet(sid, name, cells_, styles_, formats_, borders_=None, figures_=()):
    return {
        "id": sid,
        "name": name,
        "colNumber": 10,
        "rowNumber": None,  # set below, the key in its place
        "rows": {},
        "cols": None,
        "merges": [],
        "cells": cells_,
        "styles": styles_,
        "formats": formats_,
        "borders": borders_ or {},
        "conditionalFormats": [],
        "figures": list(figures_),
        "tables": [],
        "areGridLinesVisible": False,
        "isVisible": True,
        "headerGroups": {"ROW": [], "COL": []},
        "dataValidationRules": [],
        "comments": {},
    }


widths = dict(enumerate((260, 160, 160, 140, 140, 140, 140)))
widths = {str(col): {"size": size} for col, size in widths.items()}
dashboard = sheet("sheet1", "Dashboard", cells, styles, formats, borders, figures)
dashboard |= {"cols": widths, "rowNumber": LOSING_ROW + 20}
data_sheet = sheet(uid("sheet-data"), "Data", data_cells, data_styles, data_formats)
data_sheet |= {"cols": {"0": {"size": 200}, "6": {"size": 110}}, "rowNumber": 40}
data_sheet["areGridLinesVisible"] = True

spreadsheet = {
    "version": 21,
    "sheets": [dashboard, data_sheet],
    "styles": {
        "1": {"textColor": "#01666b", "fontSize": 16, "bold": True},
        "2": {"textColor": "#434343", "bold": True, "fontSize": 11},
        "3": {"textColor": "#434343", "verticalAlign": "middle"},
        "4": {"textColor": "#434343", "bold": True, "fontSize": 11, "align": "right"},
        "5": {"bold": True},
    },
    "formats": {"1": "mmm yyyy", "2": "0.0%"},
    "borders": {"1": {"bottom": {"style": "thin", "color": "#CCCCCC"}}},
    "revisionId": "START_REVISION",
    "uniqueFigureIds": True,
    "settings": {
        "locale": {
            "name": "English (US)",
            "code": "en_US",
            "thousandsSeparator": ",",
            "decimalSeparator": ".",
            "dateFormat": "mm/dd/yyyy",
            "timeFormat": "hh:mm:ss",
            "formulaArgSeparator": ",",
            "weekStart": 7,
        }
    },
    "pivots": pivots,
    "pivotNextId": 8,
    "customTableStyles": {},
    "odooVersion": 12,
    "globalFilters": global_filters,
    "lists": lists,
    "listNextId": 3,
    "chartOdooMenusReferences": {},
}

with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump(spreadsheet, out, indent=2, ensure_ascii=False)
    out.write("\n")
