# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Read the dashboard's spreadsheet JSON the way Odoo's Dashboards app does."""

import json
import re

from odoo.tools import file_open

DASHBOARD_FILE = "qlibra_task_dashboard/data/files/client_profitability_dashboard.json"
DASHBOARD_XMLID = "qlibra_task_dashboard.spreadsheet_dashboard_client_profitability"

# =PIVOT.VALUE(1,"margin:sum","date:month",$A15) and the like
PIVOT_FORMULA = re.compile(r"PIVOT(?:\.VALUE|\.HEADER)?\((?P<args>[^()]*)\)")
LIST_FORMULA = re.compile(r"ODOO\.LIST(?:\.HEADER)?\((?P<args>[^()]*)\)")


def load_dashboard():
    with file_open(DASHBOARD_FILE) as file:
        return json.load(file)


def formula_args(args):
    """Split the arguments of a formula call: quoted strings lose their quotes."""
    return [
        arg.strip()[1:-1] if arg.strip().startswith('"') else arg.strip()
        for arg in re.findall(r'"[^"]*"|[^,]+', args)
    ]


def data_sources(data):
    """(kind, id, definition) of every pivot, list and Odoo chart."""
    for pivot_id, pivot in data.get("pivots", {}).items():
        if pivot.get("type", "ODOO") == "ODOO":
            yield "pivot", pivot_id, pivot
    for list_id, list_ in data.get("lists", {}).items():
        yield "list", list_id, list_
    for sheet in data["sheets"]:
        for figure in sheet.get("figures", []):
            if figure["tag"] == "chart" and figure["data"]["type"].startswith("odoo_"):
                yield "chart", figure["id"], figure["data"]


def domain_fields(domain):
    return [leaf[0] for leaf in domain if isinstance(leaf, list | tuple)]


def source_model(kind, definition):
    return (
        definition["metaData"]["resModel"] if kind == "chart" else definition["model"]
    )


def source_domain(kind, definition):
    if kind == "chart":
        return definition["searchParams"]["domain"]
    return definition["domain"]


def source_fields(kind, definition):
    """Every field name (or dotted chain) a data source reads, with where."""
    used = []
    for leaf in domain_fields(source_domain(kind, definition)):
        used.append(("domain", leaf))
    if kind == "pivot":
        for dimension in definition["rows"] + definition["columns"]:
            used.append(("dimension", dimension["fieldName"]))
        for measure in definition["measures"]:
            if measure["fieldName"] != "__count" and not measure.get("computedBy"):
                used.append(("measure", measure["fieldName"]))
        if definition.get("sortedColumn"):
            used.append(("sorted column", definition["sortedColumn"]["measure"]))
    elif kind == "list":
        used += [("column", name) for name in definition["columns"]]
        used += [("order", order["name"]) for order in definition["orderBy"]]
    else:
        meta = definition["metaData"]
        used += [("group by", name.split(":")[0]) for name in meta["groupBy"]]
        if meta["measure"] != "__count":
            used.append(("measure", meta["measure"]))
    for filter_id, matching in definition.get("fieldMatching", {}).items():
        if matching.get("chain"):
            used.append((f"global filter {filter_id}", matching["chain"]))
    return used


def check_dashboard(env, data):
    """Every error of the dashboard's definition against the database."""
    errors = []
    filters = {flt["id"]: flt for flt in data.get("globalFilters", [])}
    for flt in filters.values():
        if flt["type"] == "relation" and flt["modelName"] not in env:
            errors.append(f"filter {flt['label']}: no model {flt['modelName']}")
    matched = set()
    for kind, source_id, definition in data_sources(data):
        where = f"{kind} {source_id} ({definition.get('name', '')})"
        model = source_model(kind, definition)
        if model not in env:
            errors.append(f"{where}: no model {model}")
            continue
        for usage, chain in source_fields(kind, definition):
            current = env[model]
            for fname in chain.split("."):
                field = current._fields.get(fname)
                if field is None:
                    errors.append(f"{where}: {usage}: {current._name} has no {fname}")
                    break
                if field.relational:
                    current = env[field.comodel_name]
        if kind == "pivot":
            for measure in definition["measures"]:
                field = env[model]._fields.get(measure["fieldName"])
                if field and field.type not in ("integer", "float", "monetary"):
                    errors.append(f"{where}: measure {field.name} is not a number")
        for filter_id in definition.get("fieldMatching", {}):
            matched.add(filter_id)
            if filter_id not in filters:
                errors.append(f"{where}: matches unknown global filter {filter_id}")
    for filter_id, flt in filters.items():
        if filter_id not in matched:
            errors.append(f"filter {flt['label']} filters nothing")
    errors += check_formulas(data)
    return errors


def check_formulas(data):
    """PIVOT and ODOO.LIST formulas name existing data sources and fields."""
    errors = []
    pivots = {
        pivot["formulaId"]: pivot
        for pivot in data.get("pivots", {}).values()
        if pivot.get("type", "ODOO") == "ODOO"
    }
    lists = data.get("lists", {})
    for sheet in data["sheets"]:
        for ref, cell in sheet["cells"].items():
            content = cell.get("content", "")
            where = f"{sheet['name']}!{ref}"
            for match in PIVOT_FORMULA.finditer(content):
                args = formula_args(match["args"])
                pivot = pivots.get(args[0])
                if not pivot:
                    errors.append(f"{where}: no pivot {args[0]}")
                    continue
                is_value = match.group(0).startswith("PIVOT.VALUE")
                measure_ids = {m["id"] for m in pivot["measures"]}
                if is_value and args[1] not in measure_ids:
                    errors.append(f"{where}: pivot {args[0]} has no measure {args[1]}")
                dimensions = args[2:] if is_value else args[1:]
                groupbys = {
                    dim["fieldName"]
                    + (f":{dim['granularity']}" if dim.get("granularity") else "")
                    for dim in pivot["rows"] + pivot["columns"]
                }
                for name in dimensions[::2]:
                    if name.lstrip("#") not in groupbys:
                        errors.append(f"{where}: pivot {args[0]} has no group {name}")
            for match in LIST_FORMULA.finditer(content):
                args = formula_args(match["args"])
                list_ = lists.get(args[0])
                if not list_:
                    errors.append(f"{where}: no list {args[0]}")
                elif args[-1] not in list_["columns"]:
                    errors.append(f"{where}: list {args[0]} has no column {args[-1]}")
    return errors
