#!/usr/bin/env python3
# Copyright 2026 qLibra
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Retake the README screenshots from the demo data.

Usage (from the repository root, with the interpreter that runs Odoo 18.0):

    .venv/bin/python setup/screenshots.py [--db NAME] [--keep-db] [--only NAME ...]

- The database (default: qlibra_shots) is created with qlibra_task,
  qlibra_task_reports and their demo data (qlibra_task_dashboard installs by
  itself) and Bulgarian, when it does not exist; a database this script created
  is dropped at the end unless --keep-db is given; an existing one is kept.
- Odoo is started on a free port (--workers=0, no cron), headless Chromium
  (/usr/bin/chromium) is driven over the DevTools protocol as admin / admin,
  and every screen is captured at 1440 x 900 once it is loaded and the network
  is idle; the PDFs (client statement, service review) are fetched with the
  same session and their first page turned into a PNG (pdftoppm, 80 dpi).
- The Bulgarian pictures switch the admin user and the Rila Trading client to
  bg_BG; both get their language back at the end.

Needs: PostgreSQL, chromium, poppler-utils (pdftoppm), wkhtmltopdf and the
Python package websocket-client (in the project's virtualenv).
"""

import argparse
import base64
import http.cookiejar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import websocket

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = os.environ.get("QLIBRA_CHROMIUM", "/usr/bin/chromium")
WIDTH, HEIGHT = 1440, 900
ADDONS = "qlibra_task,qlibra_task_reports"

TASK = os.path.join(ROOT, "qlibra_task", "static", "description")
REPORTS = os.path.join(ROOT, "qlibra_task_reports", "static", "description")
DASHBOARD = os.path.join(ROOT, "qlibra_task_dashboard", "static", "description")

ANALYSIS = "/odoo/action-qlibra_task.qlibra_profitability_report_action"
CONTRACTS = "/odoo/action-qlibra_task.qlibra_contract_action"
CLIENTS = "/odoo/action-qlibra_task.res_partner_action_qlibra_clients"
DASHBOARDS = "/odoo/action-spreadsheet_dashboard.ir_actions_dashboard_action"
STATEMENT = "qlibra_task_reports.report_client_statement"
SERVICE_REVIEW = "qlibra_task_reports.report_service_review"
DASHBOARD_ITEM = (
    '.o_spreadsheet_dashboard_search_panel li[data-name="Client Profitability"]'
)

# Every picture: its name, its file and how it is taken.
SHOTS = [
    ("pivot", os.path.join(TASK, "screenshot_pivot.png")),
    ("graph", os.path.join(TASK, "screenshot_graph.png")),
    ("contract", os.path.join(TASK, "screenshot_contract.png")),
    ("client", os.path.join(TASK, "screenshot_client.png")),
    ("dashboard", os.path.join(DASHBOARD, "screenshot_dashboard.png")),
    ("statement", os.path.join(REPORTS, "screenshot_statement.png")),
    ("service_review", os.path.join(REPORTS, "screenshot_service_review.png")),
    ("pivot_bg", os.path.join(TASK, "screenshot_pivot_bg.png")),
    ("statement_bg", os.path.join(REPORTS, "screenshot_statement_bg.png")),
]


def log(message):
    print(f"==> {message}", flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what, check, timeout=120, interval=0.25):
    """Call check() until it returns something true; return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(interval)


def addons_path():
    """The addons path of setup/common.sh for this interpreter."""
    env = dict(os.environ, PYTHON=sys.executable)
    return subprocess.run(
        ["bash", "-c", ". setup/common.sh && addons_path"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def db_exists(name):
    out = subprocess.run(
        ["psql", "-d", "postgres", "-Atc", "select datname from pg_database"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return name in out.split()


def odoo_command(path, db, *args):
    return [
        sys.executable,
        "-m",
        "odoo",
        f"--addons-path={path}",
        "-d",
        db,
        f"--db-filter=^{db}$",
        "--log-level=warn",
        *args,
    ]


class Odoo:
    """An Odoo server in a subprocess and a JSON-RPC session on it."""

    def __init__(self, path, db, tmp):
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = open(os.path.join(tmp, "odoo.log"), "w")
        self.process = subprocess.Popen(
            odoo_command(
                path,
                db,
                f"--http-port={self.port}",
                "--http-interface=127.0.0.1",
                "--workers=0",
                "--max-cron-threads=0",
            ),
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
        )
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies)
        )
        wait_for("Odoo's /web/login", self._login_page_answers, timeout=180)

    def _login_page_answers(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"Odoo stopped (see {self.logfile.name})")
        try:
            with urllib.request.urlopen(f"{self.url}/web/login", timeout=5) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def post_json(self, route, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params})
        request = urllib.request.Request(
            self.url + route,
            data=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=120) as resp:
            answer = json.load(resp)
        if answer.get("error"):
            raise RuntimeError(json.dumps(answer["error"], indent=1)[:2000])
        return answer["result"]

    def login(self, login, password):
        self.post_json(
            "/web/session/authenticate",
            {"db": self.db, "login": login, "password": password},
        )
        return next(c.value for c in self.cookies if c.name == "session_id")

    def call(self, model, method, *args, **kwargs):
        return self.post_json(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs},
        )

    def ref(self, xmlid):
        module, name = xmlid.split(".")
        rows = self.call(
            "ir.model.data",
            "search_read",
            [("module", "=", module), ("name", "=", name)],
            fields=["res_id"],
        )
        if not rows:
            raise LookupError(f"no record {xmlid}: a database without demo data?")
        return rows[0]["res_id"]

    def get(self, route):
        with self.opener.open(self.url + route, timeout=300) as resp:
            return resp.headers.get_content_type(), resp.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.logfile.close()


class Browser:
    """Headless Chromium driven over the DevTools protocol."""

    def __init__(self, tmp):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless=new",
                f"--remote-debugging-port={self.port}",
                f"--window-size={WIDTH},{HEIGHT}",
                "--no-sandbox",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-gpu",
                "--hide-scrollbars",
                "--lang=en-US",
                f"--user-data-dir={os.path.join(tmp, 'chromium')}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{self.port}"
        wait_for("Chromium's DevTools", lambda: self._json(f"{base}/json/version"))
        page = wait_for(
            "a Chromium page",
            lambda: next(
                (
                    t
                    for t in self._json(f"{base}/json/list") or []
                    if t["type"] == "page"
                ),
                None,
            ),
        )
        self.ws = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=120, suppress_origin=True
        )
        self.next_id = 0
        self.inflight = {}
        self.errors = []
        self.send("Page.enable")
        self.send("Network.enable")
        self.send("Runtime.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    @staticmethod
    def _json(url):
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return json.load(resp)
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def _event(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Network.requestWillBeSent":
            self.inflight[params["requestId"]] = time.monotonic()
        elif method in ("Network.loadingFinished", "Network.loadingFailed"):
            self.inflight.pop(params["requestId"], None)
        elif method == "Runtime.exceptionThrown":
            self.errors.append(params["exceptionDetails"].get("text", ""))

    def send(self, method, **params):
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def evaluate(self, expression):
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def set_cookie(self, url, name, value):
        self.send("Network.setCookie", name=name, value=value, url=url)

    def goto(self, url):
        self.inflight.clear()
        self.send("Page.navigate", url=url)

    def wait(self, selector, timeout=120):
        """Wait for the selector, no loading indicator, an idle network."""
        check = json.dumps(selector)
        wait_for(
            selector,
            lambda: self.evaluate(
                "document.readyState === 'complete'"
                f" && !!document.querySelector({check})"
            ),
            timeout=timeout,
        )
        self.wait_idle(timeout)

    def wait_idle(self, timeout=120, quiet=1.0):
        """No request in flight and no Odoo loading indicator for `quiet` s."""
        deadline = time.monotonic() + timeout
        since = None
        while time.monotonic() < deadline:
            busy = self.evaluate(
                "!!document.querySelector('.o_loading_indicator, .o_blockUI')"
            )
            # Requests older than 30 s are long polls, not loading.
            now = time.monotonic()
            pending = [t for t in self.inflight.values() if now - t < 30]
            if busy or pending:
                since = None
            elif since is None:
                since = now
            elif now - since >= quiet:
                return
            time.sleep(0.1)
        raise TimeoutError("timed out waiting for the network to be idle")

    def click(self, selector):
        check = json.dumps(selector)
        self.evaluate(f"document.querySelector({check}).click()")

    def check_no_error(self, name):
        if self.evaluate(
            "!!document.querySelector('.o_error_dialog, .o_notification.border-danger,"
            " .dashboard-loading-status.error')"
        ):
            raise RuntimeError(f"{name}: an error is shown on the screen")

    def close_notifications(self):
        """Close the notifications left (the bus's "The page is out of date"
        after a navigation): they are no part of the screen."""
        if self.evaluate(
            "[...document.querySelectorAll('.o_notification .o_notification_close')]"
            ".map((button) => button.click()).length"
        ):
            wait_for(
                "the notifications to close",
                lambda: (
                    not self.evaluate("!!document.querySelector('.o_notification')")
                ),
                timeout=10,
            )

    def screenshot(self, path):
        data = self.send("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as out:
            out.write(base64.b64decode(data))

    def stop(self):
        try:
            self.ws.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Shots:
    def __init__(self, odoo, browser, tmp):
        self.odoo = odoo
        self.browser = browser
        self.tmp = tmp
        self.rila = odoo.ref("qlibra_task.demo_partner_rila")
        self.rila_contract = odoo.ref("qlibra_task.demo_contract_rila")
        self.admin = odoo.ref("base.user_admin")
        self.admin_lang = self.user_lang = self.read_lang("res.users", self.admin)

    def read_lang(self, model, res_id):
        return self.odoo.call(model, "read", [res_id], ["lang"])[0]["lang"]

    def set_user_lang(self, code):
        """The admin user's language; the next page load shows it."""
        if code != self.user_lang:
            self.odoo.call("res.users", "write", [self.admin], {"lang": code})
            self.user_lang = code
            self.login()

    def login(self):
        """A new session: its context has the user's language of now."""
        session = self.odoo.login("admin", "admin")
        self.browser.set_cookie(self.odoo.url, "session_id", session)

    def take(self, name, path):
        self.set_user_lang("bg_BG" if name.endswith("_bg") else "en_US")
        getattr(self, f"take_{name}")(path)

    def restore(self):
        self.set_user_lang(self.admin_lang)

    def screen(self, route, selector, path, before=None):
        self.browser.goto(self.odoo.url + route)
        self.browser.wait(selector)
        if before:
            before()
        # Animations (graph, progress bars) and fonts settle.
        time.sleep(1.5)
        self.browser.wait_idle()
        self.browser.check_no_error(os.path.basename(path))
        self.browser.close_notifications()
        self.browser.screenshot(path)

    def pdf(self, report, res_id, path):
        kind, data = self.odoo.get(f"/report/pdf/{report}/{res_id}")
        if kind != "application/pdf":
            raise RuntimeError(f"{report}/{res_id} gave {kind}, not a PDF")
        pdf = os.path.join(self.tmp, "report.pdf")
        with open(pdf, "wb") as out:
            out.write(data)
        prefix = os.path.join(self.tmp, "page")
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"]
            + [pdf, prefix],
            check=True,
        )
        shutil.move(prefix + ".png", path)

    def take_pivot(self, path):
        self.screen(f"{ANALYSIS}?view_type=pivot", ".o_pivot table", path)

    def take_graph(self, path):
        self.screen(f"{ANALYSIS}?view_type=graph", ".o_graph_renderer canvas", path)

    def take_contract(self, path):
        self.screen(
            f"{CONTRACTS}/{self.rila_contract}", ".o_form_view .o_field_widget", path
        )

    def take_client(self, path):
        tab = '.o_notebook_headers a[name="qlibra_contracts"]'

        def open_tab():
            self.browser.click(tab)
            self.browser.wait(f"{tab}.active")
            self.browser.evaluate(
                f"document.querySelector({json.dumps(tab)})"
                ".scrollIntoView({block: 'start'})"
            )

        self.screen(f"{CLIENTS}/{self.rila}", tab, path, before=open_tab)

    def take_dashboard(self, path):
        def open_dashboard():
            self.browser.click(DASHBOARD_ITEM)
            self.browser.wait(f"{DASHBOARD_ITEM}.active")
            self.browser.wait(".o_renderer .o-spreadsheet .o-grid canvas")
            # The pivots and lists of the sheet load after the grid.
            time.sleep(3)

        self.screen(DASHBOARDS, DASHBOARD_ITEM, path, before=open_dashboard)

    def take_statement(self, path):
        self.pdf(STATEMENT, self.rila, path)

    def take_service_review(self, path):
        self.pdf(SERVICE_REVIEW, self.rila_contract, path)

    def take_pivot_bg(self, path):
        self.take_pivot(path)

    def take_statement_bg(self, path):
        """Rila Trading in Bulgarian for a while (no demo client is)."""
        previous = self.read_lang("res.partner", self.rila)
        self.odoo.call("res.partner", "write", [self.rila], {"lang": "bg_BG"})
        try:
            self.take_statement(path)
        finally:
            self.odoo.call("res.partner", "write", [self.rila], {"lang": previous})


def parse_args():
    parser = argparse.ArgumentParser(
        description="Retake the README screenshots from a database with demo data."
    )
    parser.add_argument(
        "--db",
        default="qlibra_shots",
        help="database (default: qlibra_shots), created with demo data if missing",
    )
    parser.add_argument(
        "--keep-db",
        action="store_true",
        help="keep the database when this script created it (default: drop it)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=[name for name, _path in SHOTS],
        help="take only these pictures",
    )
    return parser.parse_args()


def create_db(path, db):
    log(f"Creating database '{db}' with {ADDONS} and their demo data")
    subprocess.run(
        odoo_command(path, db, "-i", ADDONS, "--stop-after-init"), check=True
    )
    # Apart: given with -i on a new database, --load-language makes Bulgarian
    # the only active language, every user's.
    log("Loading Bulgarian")
    subprocess.run(
        odoo_command(path, db, "--load-language=bg_BG", "--stop-after-init"),
        check=True,
    )


def drop_db(db):
    log(f"Dropping database '{db}'")
    subprocess.run([sys.executable, "-m", "odoo", "db", "drop", db], check=True)


def main():
    args = parse_args()
    os.chdir(ROOT)
    for tool in (CHROMIUM, shutil.which("pdftoppm"), shutil.which("psql")):
        if not tool or not os.path.exists(tool):
            sys.exit("ERROR: needs chromium, pdftoppm (poppler-utils) and psql")
    tmp = tempfile.mkdtemp(prefix="qlibra-shots.")
    # Debian's wkhtmltopdf wants a private runtime directory.
    os.environ.setdefault("XDG_RUNTIME_DIR", tmp)
    path = addons_path()
    created = False
    odoo = browser = None
    try:
        if not db_exists(args.db):
            create_db(path, args.db)
            created = True
        log(f"Starting Odoo on database '{args.db}'")
        odoo = Odoo(path, args.db, tmp)
        odoo.login("admin", "admin")
        log(f"Odoo answers on {odoo.url}; starting Chromium")
        browser = Browser(tmp)
        shots = Shots(odoo, browser, tmp)
        shots.login()
        try:
            for name, target in SHOTS:
                if args.only and name not in args.only:
                    continue
                log(f"{name}: {os.path.relpath(target, ROOT)}")
                shots.take(name, target)
        finally:
            shots.restore()
        if browser.errors:
            log(f"JavaScript errors on the way: {browser.errors}")
    finally:
        if browser:
            browser.stop()
        if odoo:
            odoo.stop()
        if created and not args.keep_db:
            drop_db(args.db)
        shutil.rmtree(tmp, ignore_errors=True)
    log("Done")


if __name__ == "__main__":
    main()
