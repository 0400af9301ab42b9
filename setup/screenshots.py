#!/usr/bin/env python3
# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Retake the README screenshots from the demo data: ``.venv/bin/python
setup/screenshots.py [--db NAME] [--port N] [--keep-db] [--only NAME ...]``.
A database it creates (demo.sh's add-ons, demo data, Bulgarian) is dropped
unless --keep-db. Playwright drives Debian's Chromium (or QLIBRA_CHROMIUM).
"""

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from playwright.sync_api import sync_playwright
from run_tests import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = os.environ.get("QLIBRA_CHROMIUM", "/usr/bin/chromium")
ANALYSIS = "/odoo/action-qlibra_task.qlibra_profitability_report_action"
PIVOT = (f"{ANALYSIS}?view_type=pivot", ".o_pivot table")
GRAPH = (f"{ANALYSIS}?view_type=graph", ".o_graph_renderer canvas")
DASHBOARD = '.o_spreadsheet_dashboard_search_panel li[data-name="Client Profitability"]'
CLIENT_TAB = '.o_notebook_headers a[name="qlibra_contracts"]'
STATEMENT = "qlibra_task_reports.report_client_statement"
# The rollover picture: Rila's contract month by month, as a favorite.
MEASURES = ["hours", "included_hours", "carried_hours", "used_carried_hours"]
ROLLOVER_CONTEXT = {"pivot_measures": [*MEASURES, "expired_hours"]}
ROLLOVER_CONTEXT |= {"pivot_row_groupby": ["date:month"], "pivot_column_groupby": []}

# Every picture in order: name, add-on, who (the admin in a language, or the
# portal user), how: a screen (route, selector, clicks) or a PDF (report, id).
CONTRACT = "/odoo/action-qlibra_task.qlibra_contract_action/{contract}"
CLIENT = "/odoo/action-qlibra_task.res_partner_action_qlibra_clients/{rila}"
DASHBOARDS = "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action"
DASHBOARDS = (DASHBOARDS, DASHBOARD, [DASHBOARD])
PORTAL = ("/my/services", ".o_qlibra_portal_contract")
REVIEW = "qlibra_task_reports.report_service_review"
SHOTS = [
    ("pivot", "qlibra_task", "en_US", PIVOT),
    ("graph", "qlibra_task", "en_US", GRAPH),
    ("contract", "qlibra_task", "en_US", (CONTRACT, ".o_form_view .o_field_widget")),
    ("rollover", "qlibra_task", "en_US", PIVOT),
    ("client", "qlibra_task", "en_US", (CLIENT, CLIENT_TAB, [CLIENT_TAB])),
    ("dashboard", "qlibra_task_dashboard", "en_US", DASHBOARDS),
    ("statement", "qlibra_task_reports", "en_US", (STATEMENT, "{rila}")),
    ("service_review", "qlibra_task_reports", "en_US", (REVIEW, "{contract}")),
    ("portal", "qlibra_task_portal", "portal", PORTAL),
    ("pivot_bg", "qlibra_task", "bg_BG", PIVOT),
    ("statement_bg", "qlibra_task_reports", "bg_BG", (STATEMENT, "{rila}")),
]


def log(message):
    print(f"==> {message}", flush=True)


def common_sh(command):
    """Output of a setup/common.sh function or variable for this interpreter."""
    command = ["bash", "-c", f". setup/common.sh && {command}"]
    env = dict(os.environ, PYTHON=sys.executable)
    return subprocess.check_output(command, cwd=ROOT, env=env, text=True).strip()


def odoo(path, db, port, *args, **popen):
    """Run Odoo on ``db`` to its end, or in the background with ``popen``."""
    command = [sys.executable, "-m", "odoo", f"--addons-path={path}", "-d", db]
    command += [f"--db-filter=^{db}$", f"--http-port={port}", "--log-level=warn"]
    if popen:
        return subprocess.Popen(command + list(args), **popen)
    return subprocess.run(command + list(args), check=True)


@contextlib.contextmanager
def odoo_server(path, db, port, logfile):
    """Odoo serving ``db`` until the block ends; yields its URL."""
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 180
    args = "--http-interface=127.0.0.1", "--workers=0", "--max-cron-threads=0"
    with open(logfile, "w") as out:
        process = odoo(path, db, port, *args, stdout=out, stderr=subprocess.STDOUT)
    try:
        while process.poll() is None:
            try:
                with urllib.request.urlopen(f"{url}/web/login", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        else:
            raise RuntimeError(f"Odoo stopped (see {logfile})")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


class Session:
    """A browser context logged in as one user."""

    def __init__(self, browser, url, login, password):
        self.url = url
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        context.set_default_timeout(180_000)
        self.page = page = context.new_page()
        self.pending = set()
        page.on("request", lambda request: self.pending.add(request))
        for event in ("requestfinished", "requestfailed"):
            page.on(event, lambda request: self.pending.discard(request))
        page.goto(f"{url}/web/login")
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda page_url: "/web/login" not in page_url)

    def call(self, model, method, *args, **kwargs):
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs}
        answer = self.page.request.post(
            f"{self.url}/web/dataset/call_kw/{model}/{method}",
            data={"jsonrpc": "2.0", "method": "call", "params": params},
        ).json()
        if "error" in answer:
            raise RuntimeError(str(answer["error"])[:2000])
        return answer["result"]

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        return self.call("ir.model.data", "check_object_reference", module, name)[1]

    def settle(self, seconds=1.0, timeout=180):
        """Wait until no request (but the bus worker's, which never ends: not
        Playwright's "networkidle") nor loading indicator for ``seconds``."""
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < seconds:
            if time.monotonic() > deadline:
                raise TimeoutError("the page never stopped loading")
            busy = any("websocket_worker_bundle" not in r.url for r in self.pending)
            if busy or self.page.locator(".o_loading_indicator, .o_blockUI").count():
                quiet_since = time.monotonic()
            self.page.wait_for_timeout(100)

    def screen(self, path, route, selector, clicks=()):
        page = self.page
        page.goto(self.url + route)
        page.wait_for_selector(selector)
        for target in clicks:
            page.click(target)
            page.wait_for_selector(f"{target}.active")
            page.locator(target).evaluate("(el) => el.scrollIntoView({block: 'start'})")
        self.settle()
        # Animations (graph, progress bars), fonts and the dashboard's pivots.
        page.wait_for_timeout(3000)
        self.settle()
        errors = ".o_error_dialog, .o_notification.border-danger,"
        if page.locator(errors + " .dashboard-loading-status.error").count():
            raise RuntimeError(f"{os.path.basename(path)}: an error is on the screen")
        # notifications left over ("The page is out of date") are no part of it
        for button in page.locator(".o_notification_close").all():
            button.click()
        page.locator(".o_notification").first.wait_for(state="detached")
        page.screenshot(path=path)

    def pdf(self, path, report, res_id):
        response = self.page.request.get(f"{self.url}/report/pdf/{report}/{res_id}")
        if response.headers.get("content-type") != "application/pdf":
            raise RuntimeError(f"{report}/{res_id} is no PDF")
        command = ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"]
        png = subprocess.check_output(command, input=response.body())  # page 1
        with open(path, "wb") as out:
            out.write(png)


@contextlib.contextmanager
def for_a_while(admin, name, ids):
    """What a picture changes in the database for a while."""
    undo = None
    if name == "rollover":
        rollover = {
            "name": "Rila Trading: hours carried over",
            "model_id": "qlibra.profitability.report",
            "action_id": admin.ref("qlibra_task.qlibra_profitability_report_action"),
            "user_id": ids["admin"],
            "is_default": True,
            "domain": f"[('contract_id', '=', {ids['contract']})]",
            "context": repr(ROLLOVER_CONTEXT),
        }
        undo = ("ir.filters", "unlink", [admin.call("ir.filters", "create", rollover)])
    elif name == "statement_bg":  # Rila Trading in Bulgarian (no demo client is)
        rila = [ids["rila"]]
        lang = admin.call("res.partner", "read", rila, ["lang"])[0]["lang"]
        admin.call("res.partner", "write", rila, {"lang": "bg_BG"})
        undo = ("res.partner", "write", rila, {"lang": lang})
    try:
        yield
    finally:
        if undo:
            admin.call(*undo)


def take_all(url, names):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        admin = Session(browser, url, "admin", "admin")
        ids = {
            "admin": admin.ref("base.user_admin"),
            "rila": admin.ref("qlibra_task.demo_partner_rila"),
            "contract": admin.ref("qlibra_task.demo_contract_rila"),
        }
        [user] = admin.call("res.users", "read", [ids["admin"]], ["lang"])
        sessions = {user["lang"]: admin}
        try:
            for name, addon, who, how in SHOTS:
                if name not in names:
                    continue
                if who == "portal" and who not in sessions:
                    sessions[who] = Session(browser, url, "portal.client", "portal")
                elif who not in sessions:
                    # A session has the language its user had at login.
                    admin.call("res.users", "write", [ids["admin"]], {"lang": who})
                    sessions[who] = Session(browser, url, "admin", "admin")
                path = f"{ROOT}/{addon}/static/description/screenshot_{name}.png"
                log(f"{name}: {os.path.relpath(path, ROOT)}")
                with for_a_while(admin, name, ids):
                    if how[0].startswith("/"):
                        route = how[0].format(**ids)
                        sessions[who].screen(path, route, *how[1:])
                    else:
                        report, res_id = how
                        sessions[who].pdf(path, report, res_id.format(**ids))
        finally:
            admin.call("res.users", "write", [ids["admin"]], {"lang": user["lang"]})
            browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="qlibra_shots", help="default: qlibra_shots")
    parser.add_argument("--port", type=int, default=free_port(), help="Odoo's")
    parser.add_argument("--keep-db", action="store_true", help="keep a new database")
    names = [shot[0] for shot in SHOTS]
    parser.add_argument("--only", nargs="+", choices=names, help="these only")
    args = parser.parse_args()
    for tool in (CHROMIUM, shutil.which("pdftoppm"), shutil.which("psql")):
        if not tool or not os.path.exists(tool):
            sys.exit("ERROR: needs chromium, pdftoppm (poppler-utils) and psql")
    tmp = tempfile.mkdtemp(prefix="qlibra-shots.")
    # Debian's wkhtmltopdf wants a private runtime directory.
    os.environ.setdefault("XDG_RUNTIME_DIR", tmp)
    path = common_sh("addons_path")
    query = ["psql", "-d", "postgres", "-Atc", "select datname from pg_database"]
    created = args.db not in subprocess.check_output(query, text=True).split()
    try:
        if created:
            addons = common_sh('echo "$ADDONS"')
            log(f"Creating database '{args.db}' with {addons} and their demo data")
            odoo(path, args.db, args.port, "-i", addons, "--stop-after-init")
            # apart: with -i on a new database, it would be every user's language
            log("Loading Bulgarian")
            odoo(path, args.db, args.port, "--load-language=bg_BG", "--stop-after-init")
        log(f"Starting Odoo on database '{args.db}'")
        logfile = os.path.join(tmp, "odoo.log")
        with odoo_server(path, args.db, args.port, logfile) as url:
            take_all(url, args.only or names)
    finally:
        if created and not args.keep_db:
            log(f"Dropping database '{args.db}'")
            subprocess.run([sys.executable, "-m", "odoo", "db", "drop", args.db])
        shutil.rmtree(tmp, ignore_errors=True)
    log("Done")


if __name__ == "__main__":
    main()
