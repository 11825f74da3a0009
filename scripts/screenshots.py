#!/usr/bin/env python3
"""The screenshots in docs/web.md and docs/views.md, taken from what a user sees.

    scripts/screenshots.py BUILD_DIR [--out docs/images] [--only views|pages]

Runs the demo up to the finance gate and keeps it serving (scripts/demo.py --serve), signs
the finance approver in to the inbox in headless Chromium (Debian's, through chromedriver, as
the browser tests do) and saves the decision page at a laptop's size (1280x800) and a phone's
(390x844); then finance requests changes and the review page is saved as the reviewer sees
it. The views (docs/views.md) are saved on a generated book of 1,000 contracts
(`covenant views generate`, seed 23), served by `covenant serve`, signed in as finance.
Everything runs on 127.0.0.1.
"""
import argparse
import base64
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


def wait_until(what, probe, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if probe():
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"screenshots: {what} did not come up within {timeout} s")


class Browser:
    """Just enough WebDriver: open, find, type, click, resize, screenshot."""

    def __init__(self, workdir):
        self.port = free_port()
        self.driver = subprocess.Popen(["/usr/bin/chromedriver", f"--port={self.port}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        wait_until("chromedriver", lambda: call("GET", self.base + "/status")["value"]["ready"])
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-sync",
                "--hide-scrollbars", f"--user-data-dir={workdir}/profile"]
        s = call("POST", self.base + "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}})
        self.session = f"{self.base}/session/{s['value']['sessionId']}"

    def go(self, url):
        call("POST", self.session + "/url", {"url": url})

    def find(self, css, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            found = call("POST", self.session + "/elements", {"using": "css selector", "value": css})
            if found["value"]:
                return list(found["value"][0].values())[0]
            time.sleep(0.2)
        raise SystemExit(f"screenshots: nothing matches {css}")

    def type(self, css, text):
        call("POST", f"{self.session}/element/{self.find(css)}/value", {"text": text})

    def click(self, css):
        call("POST", f"{self.session}/element/{self.find(css)}/click", {})

    def resize(self, width, height):
        """The page's viewport: the window grows by its own frame."""
        call("POST", self.session + "/window/rect", {"width": width, "height": height})
        frame = call("POST", self.session + "/execute/sync", {
            "script": "return window.outerHeight - window.innerHeight", "args": []})["value"]
        if frame > 0:
            call("POST", self.session + "/window/rect", {"width": width, "height": height + frame})

    def screenshot(self, path):
        png = call("GET", self.session + "/screenshot")["value"]
        path.write_bytes(base64.b64decode(png))
        print(f"screenshots: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    def quit(self):
        try:
            call("DELETE", self.session)
        finally:
            self.driver.terminate()
            self.driver.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--out", default=str(ROOT / "docs" / "images"))
    ap.add_argument("--only", choices=["views", "pages"])
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.only != "pages":
        views(args.build, out)
    if args.only == "views":
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        ready = work / "ready.json"
        log = open(work / "demo.log", "w")
        # The demo serving from its finance gate, with its sandbox and workers.
        demo = subprocess.Popen([sys.executable, str(ROOT / "scripts" / "demo.py"), args.build,
                                 "--serve", "--out", str(work / "demo"), "--ready", str(ready)],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        browser = None
        try:
            try:
                wait_until("the demo's finance gate", lambda: ready.exists() or demo.poll() is not None,
                           timeout=240)
                if not ready.exists():
                    raise SystemExit("screenshots: the demo ended before its finance gate")
            except SystemExit:
                log.flush()
                print((work / "demo.log").read_text()[-2000:], file=sys.stderr)
                raise
            r = json.loads(ready.read_text())
            api, tokens, instance = r["api"], r["tokens"], r["instance"]
            browser = Browser(tmp)
            browser.resize(1280, 800)
            browser.go(api + "/ui/inbox.html")
            browser.type("#token", tokens["demo-approver"])
            browser.click("#sign-in")
            browser.find("article.approval .figures")
            time.sleep(0.5)  # fonts and layout settle
            browser.screenshot(out / "decision-page.png")
            browser.resize(390, 844)
            time.sleep(0.5)
            browser.screenshot(out / "decision-page-phone.png")
            # Finance sends the terms back; the review page shows the request and the terms.
            approval = call_as("GET", f"{api}/v1/approvals/{r['approval']}", tokens["demo-approver"])
            call_as("POST", f"{api}/v1/approvals/{r['approval']}/decisions", tokens["demo-approver"],
                    {"decision": "request_changes", "digest": approval["digest"],
                     "comment": "Service starts March 1, 2027: the kickoff moved"})
            review = f"{api}/v1/instances/{instance}/review"
            wait_until("the review", lambda: call_as("GET", review, tokens["revops-demo"]))
            browser.resize(1280, 800)
            browser.go(api + "/ui/inbox.html")
            call("POST", browser.session + "/execute/sync",
                 {"script": "sessionStorage.clear()", "args": []})
            browser.go(f"{api}/ui/review.html?id={instance}")
            browser.type("#token", tokens["revops-demo"])
            browser.click("#login button")
            browser.find("fieldset[data-field='effective_date']")
            time.sleep(0.5)
            browser.screenshot(out / "review-page.png")
        finally:
            if browser:
                browser.quit()
            os.killpg(demo.pid, signal.SIGTERM)
            demo.wait(timeout=30)
    return 0


VIEWS = [("renewals", "view=renewals&within=365"),
         ("billing-accuracy", "view=billing-accuracy"),
         ("revenue", "view=revenue&currency=USD"),
         ("sla", "view=sla&only=1"),
         ("handoffs", "view=handoffs"),
         ("renewal-risk", "view=renewal-risk&within=365")]


def views(build, out):
    """Each view on a generated book of 1,000 contracts, at 1280x900."""
    covenant = str(pathlib.Path(build).resolve() / "app" / "covenant")
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:{tmp}/views.db"
        subprocess.run([covenant, "views", "generate", "--contracts", "1000", "--seed", "23",
                        "--db", db, "--create-db"], check=True, stdout=subprocess.DEVNULL)
        added = subprocess.run([covenant, "principals", "add", "fiona", "--roles", "finance",
                                "--db", db, "--format", "json"], check=True,
                               capture_output=True, text=True)
        token = json.loads(added.stdout)["token"]
        port = free_port()
        api = f"http://127.0.0.1:{port}"
        log = open(pathlib.Path(tmp) / "serve.log", "w")
        serve = subprocess.Popen([covenant, "serve", "--db", db, "--port", str(port)],
                                 stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        browser = None
        try:
            wait_until("covenant serve", lambda: call("GET", api + "/healthz") is not None)
            browser = Browser(tmp)
            browser.resize(1280, 900)
            for name, query in VIEWS:
                browser.go(f"{api}/ui/views.html?{query}")
                if name == VIEWS[0][0]:
                    browser.type("#token", token)
                    browser.click("#login button")
                browser.find("#rows tbody tr")
                browser.find("#chart svg")
                time.sleep(0.8)  # the chart's animation and the fonts settle
                browser.screenshot(out / f"view-{name}.png")
        finally:
            if browser:
                browser.quit()
            serve.terminate()
            serve.wait(timeout=30)


def call_as(method, url, token, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        if e.code == 409:  # not there yet
            return None
        raise SystemExit(f"screenshots: {method} {url}: {e.code} {e.read()[:300]!r}")


if __name__ == "__main__":
    sys.exit(main())
