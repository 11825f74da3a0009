#!/usr/bin/env python3
"""The contract-to-cash demo: Covenant and the sandbox systems on 127.0.0.1, one contract from
document to invoices, revenue schedule and armed monitors, on the embedded SQLite store.

    scripts/demo.py BUILD_DIR [--contract FILE] [--out DIR] [--auto-approve | --no-approve]
                              [--summary FILE] [--serve] [--ready FILE]

Run from a terminal without --auto-approve (or DEMO_AUTO_APPROVE=1), it runs to the finance
approval gate and keeps serving: it prints a finance approver's token, the inbox URL and a curl
line that works when pasted, carries on when the decision arrives (from the browser or curl),
and keeps serving the pages after the run until Ctrl-C (or SIGTERM). If the approver requests
changes, it prints the review page's URL and a reviewer's token, and waits for the gate to open
again. --serve does the same without a terminal (the browser tests drive it), and --ready FILE
writes the API's URL, the instance and the tokens there once the gate is open. Without a
terminal (CI), or with --no-approve, it stops at the gate and does not wait. With --auto-approve a demo approver
decides through the real HTTP callback: the single-use callback token from the signed
approval.requested webhook, posted to the callback URL. The summary (invoices, revenue
schedule, monitors) is printed and, with --summary, written as JSON with what the sandbox holds.
"""
import argparse
import base64
import http.server
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(method, url, body=None, token=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def money(m):
    if not isinstance(m, dict) or "amount_minor" not in m:
        return "?"
    v = m["amount_minor"]
    return f"{m.get('currency', '')} {v // 100:,}.{v % 100:02d}"


# Events the timeline leaves out: each activity shows once, when it completes.
QUIET = {"ActivityScheduled", "BranchStarted", "BranchCompleted", "StateEntered",
         "TimerScheduled", "TimerFired", "WritebackCommitted"}


def describe(e):
    """One readable line for an event of the history."""
    t, p = e.get("type", ""), e.get("payload", {}) or {}
    if t != "ActivityCompleted":
        if t.startswith("Approval"):
            return f"{t} {p.get('approval_id', '')}"
        if t in ("SignalReceived", "EventReceived"):
            return f"{t}: {p.get('event', p.get('name', ''))}"
        if t == "ActivityFailed":
            return f"{p.get('activity', '')} failed: {p.get('error', '')} {p.get('message', '')}"[:110]
        return t
    a, r = p.get("activity", ""), p.get("result", {}) or {}
    detail = ""
    if a in ("ingest.contract", "ingest.signed_document"):
        detail = (f"{(r.get('clm') or {}).get('system', 'file')}: "
                  f"{r.get('media_type')} stored, {r.get('bytes')} bytes, sha256 "
                  f"{str(r.get('sha256'))[:12]}…, version {r.get('version')}")
    elif a == "crm.get_opportunity":
        detail = f"'{r.get('name')}', {r.get('stage')}, {money(r.get('amount'))}"
    elif a == "cpq.get_quote":
        detail = f"quote {r.get('status')}, {money(r.get('net_amount'))}, {r.get('term_months')} months"
    elif a == "cpq.list_quote_lines":
        detail = f"{len(r.get('lines', []))} quote lines"
    elif a == "extract.terms":
        fees = r.get("fees") or []
        detail = (f"{len(r.get('fields', {}))} terms ({len(r.get('review', []))} to review): "
                  f"{r.get('effective_date')} to {r.get('expiration_date')}, {len(fees)} fees, "
                  f"net {(r.get('payment_terms') or {}).get('net_days')}")
    elif a == "resolve.customer":
        detail = (f"{r.get('legal_name')} ({r.get('external_id')}), score {r.get('score')} "
                  f"of {len(r.get('candidates', []))} candidates")
    elif a == "resolve.products":
        detail = (f"{len(r.get('lines', []))} lines matched to the contract's fees, "
                  f"{len(r.get('exceptions', []))} pricing exceptions, price "
                  f"{money(r.get('transaction_price'))}")
    elif a == "bill.plan":
        sub = r.get("subscription") or {}
        detail = (f"{len(sub.get('periods', []))} subscription periods, "
                  f"{len(r.get('invoices', []))} invoice(s) now, "
                  f"{len(r.get('pending_milestones', []))} milestone(s) pending: {money(r.get('total'))}")
    elif a == "revenue.schedule":
        detail = (f"{len(r.get('obligations', []))} obligations by relative SSP, "
                  f"{len(r.get('periods', []))} entries: {money(r.get('transaction_price'))}")
    elif a == "provision.request":
        detail = f"{len(r.get('requests', []))} provisioning tasks in the CRM"
    elif a == "contracts.record":
        detail = (f"{r.get('contract_id')} in the book" +
                  (f", amending {r.get('parent')} (now version {r.get('version')})"
                   if r.get("kind") == "amendment" else f" ({r.get('kind')}, version {r.get('version')})"))
    elif a == "contracts.find_parent":
        detail = f"agreement {r.get('contract_id')} (by {r.get('linked_by')}), version {r.get('version')}"
    elif a == "contracts.settle":
        detail = f"{r.get('contract_id')}: what was written, kept"
    elif a == "contract.merge_terms":
        merged = r.get("merged") or {}
        detail = (f"{', '.join(s['field'] for s in merged.get('superseded', []))} superseded "
                  f"from {merged.get('effective_date')}")
    elif a == "bill.plan_change":
        adj = r.get("adjustments", [])
        detail = (f"{sum(1 for x in adj if x.get('status') == 'prorated')} prorated, "
                  f"{sum(1 for x in adj if x.get('status') == 'repriced')} repriced: "
                  f"{money(r.get('total_change'))} over the term")
    elif a == "revenue.modify":
        detail = f"{r.get('classification')}: {money(r.get('transaction_price_after'))}"
    elif a.startswith("billing.") or a.startswith("erp."):
        amount = r.get("total_minor", r.get("amount_minor"))
        detail = f"{r.get('id', r.get('terms', ''))}" + (
            " " + money({"amount_minor": amount, "currency": r.get("currency", "").upper()})
            if isinstance(amount, int) else "")
    elif a == "monitor.renewal":
        detail = f"{r.get('status')}: notice by {r.get('notice_date')}"
    elif a == "monitor.sla":
        detail = f"{len(r.get('breaches', []))} breach(es)"
    elif a == "monitor.billing_accuracy":
        detail = f"{len(r.get('discrepancies', []))} discrepancies"
    elif a.startswith("crm.create"):
        detail = f"{r.get('id', '')}"
    return f"{a} {detail}".rstrip()


def arrive_from_docusign(demo, contract, rel):
    """The contract is executed in (the sandbox's) DocuSign, whose Connect webhook, signed with
    the Connect HMAC key, starts contract-to-cash; a forged delivery first, and Connect's retry
    of the real one after, start nothing (docs/intake.md)."""
    document = ({"pdf_base64": base64.b64encode(contract.read_bytes()).decode()}
                if contract.suffix == ".pdf" else {"text": contract.read_text()})
    envelope = {"vendor": "docusign", "id": "env-c1042", "account_id": "acct-northwind",
                "title": f"Please sign: {rel.name}", **document,
                # The sandbox's seeded won opportunity and its primary CPQ quote.
                "references": {"contract_id": "C-1042", "opportunity_id": "006SBX0000000001AA",
                               "quote_id": "a0QSBX0000000001AA"}}
    code, _ = http_json("POST", f"{demo.sandbox}/_sandbox/clm/contracts", envelope)
    if code != 201:
        raise SystemExit(f"demo: the sandbox's DocuSign did not take the contract ({code})")
    order = {"vendor": "docusign", "id": "env-c1042", "url": f"{demo.api}/v1/intake/docusign",
             "secret": demo.env["DEMO_CONNECT_HMAC"]}

    def deliver(**extra):
        code, answer = http_json("POST", f"{demo.sandbox}/_sandbox/clm/deliver", {**order, **extra},
                                 timeout=60)
        if code != 200:
            raise SystemExit(f"demo: the sandbox could not deliver ({code}): {answer}")
        return answer["deliveries"]

    print(f"\n-- {rel} is executed in DocuSign (envelope env-c1042); Connect tells Covenant")
    forged = deliver(fault="bad_signature")[0]
    print(f"   a delivery signed with the wrong key: {forged['status']} "
          f"{forged['body'].get('reason')} — refused, recorded, nothing started")
    first = deliver()[0]
    if first["status"] != 202:
        raise SystemExit(f"demo: the DocuSign delivery was not accepted: {first}")
    instance = first["body"]["instance_id"]
    retry = deliver()[0]
    print(f"   the signed delivery: {first['status']} {first['body']['status']}, instance {instance}")
    print(f"   Connect's retry of it: {retry['status']} {retry['body']['status']} — the same "
          f"instance, nothing started twice")
    (demo.out / "input.json").write_text(json.dumps(envelope["references"], indent=2))
    print(f"\n-- Started contract-to-cash for C-1042 ({rel}) from DocuSign: instance {instance}")
    return instance


class Receiver(http.server.BaseHTTPRequestHandler):
    """Where Covenant's signed webhooks go in the demo (an approvals bot, in real life)."""
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            Receiver.received.append(json.loads(body))
        except ValueError:
            pass
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class Demo:
    def __init__(self, args):
        self.args = args
        self.build = pathlib.Path(args.build).resolve()
        self.covenant = str(self.build / "app" / "covenant")
        self.out = pathlib.Path(args.out or self.build / "demo").resolve()
        self.out.mkdir(parents=True, exist_ok=True)
        for f in self.out.glob("*.db*"):
            f.unlink()
        self.db = "sqlite:" + str(self.out / "covenant.db")
        self.procs = []
        self.seen = 0

    def run(self, *argv, stdin=None):
        r = subprocess.run([self.covenant, *argv], input=stdin, capture_output=True, text=True,
                           env=self.env)
        if r.returncode != 0:
            raise SystemExit(f"demo: covenant {' '.join(argv)} failed:\n{r.stderr}{r.stdout}")
        return r.stdout

    def wait_http(self, url, what):
        for _ in range(200):
            try:
                urllib.request.urlopen(url, timeout=1)
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"demo: {what} did not start")

    def start(self):
        sb_port, api_port, hook_port = free_port(), free_port(), free_port()
        self.sandbox = f"http://127.0.0.1:{sb_port}"
        self.api = f"http://127.0.0.1:{api_port}"
        hooks = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Receiver)
        threading.Thread(target=hooks.serve_forever, daemon=True).start()
        self.env = dict(os.environ,
                        DEMO_STRIPE_KEY="sk_test_covenant_demo",
                        DEMO_SALESFORCE_SECRET="demo-salesforce-secret",
                        DEMO_NETSUITE_SECRET="demo-netsuite-secret",
                        DEMO_ZENDESK_TOKEN="demo-zendesk-token",
                        DEMO_SLACK_URL=f"{self.sandbox}/slack/hooks/T0DEMO/B0DEMO/demo",
                        DEMO_APPROVER_SLACK_URL=f"{self.sandbox}/slack/hooks/T0DEMO/B0APPROVER/demo",
                        DEMO_WEBHOOK_SECRET="whsec_covenant_demo",
                        DEMO_CONNECT_HMAC="demo-docusign-connect-hmac-key",
                        DEMO_DOCUSIGN_TOKEN="demo-docusign-access-token")
        self.env.pop("COVENANT_DB", None)
        config = self.out / "covenant.yaml"
        config.write_text(f"""# Written by scripts/demo.py: Covenant against the sandbox on 127.0.0.1.
database: {self.db}
server: {{ host: 127.0.0.1, port: {api_port} }}
workers: 4
documents: {{ root: {ROOT} }}
webhooks:
  - name: demo-approvals-bot
    url: http://127.0.0.1:{hook_port}/covenant
    secret_env: DEMO_WEBHOOK_SECRET
    topics: [approval.requested, approval.reminder, approval.escalated, workflow.failed,
             compensation.failed]
  # The demo approver's own channel: the only place its callback tokens go.
  - name: demo-approver-channel
    url: http://127.0.0.1:{hook_port}/demo-approver
    secret_env: DEMO_WEBHOOK_SECRET
    principal: demo-approver
    topics: [approval.requested, approval.reminder, approval.escalated]
  # The demo approver's Slack: the summary as Block Kit, and a button with their own link.
  - name: demo-approver-slack
    format: slack
    secret_env: DEMO_APPROVER_SLACK_URL
    principal: demo-approver
    topics: [approval.requested, approval.reminder, approval.escalated]
# The executed contract arrives from DocuSign: Connect's signed webhook starts contract-to-cash.
intake:
  # An envelope whose document_kind custom field says "amendment" starts contract-amendment.
  - {{ name: docusign, vendor: docusign, secret_env: DEMO_CONNECT_HMAC, account_id: acct-northwind,
      workflows: {{ amendment: contract-amendment }} }}
adapters:
  esignature: {{ system: docusign, base_url: "{self.sandbox}", secret_env: DEMO_DOCUSIGN_TOKEN }}
  billing: {{ system: stripe, base_url: "{self.sandbox}", secret_env: DEMO_STRIPE_KEY }}
  crm: {{ system: salesforce, base_url: "{self.sandbox}", client_id: covenant-demo, secret_env: DEMO_SALESFORCE_SECRET }}
  cpq: {{ system: salesforce, base_url: "{self.sandbox}", client_id: covenant-demo, secret_env: DEMO_SALESFORCE_SECRET }}
  erp: {{ system: netsuite, base_url: "{self.sandbox}", client_id: covenant-demo, secret_env: DEMO_NETSUITE_SECRET }}
  ticketing: {{ system: zendesk, base_url: "{self.sandbox}", user: ops@northwind.example, secret_env: DEMO_ZENDESK_TOKEN }}
  notifier: {{ system: slack, secret_env: DEMO_SLACK_URL }}
""")
        log = open(self.out / "sandbox.log", "w")
        self.procs.append(subprocess.Popen(
            [self.covenant, "sandbox", "--port", str(sb_port), "--db",
             "sqlite:" + str(self.out / "sandbox.db")], stdout=log, stderr=log, env=self.env))
        self.wait_http(self.sandbox + "/_sandbox/requests", "the sandbox")
        print(f"-- The sandbox systems (DocuSign, Stripe, Salesforce + CPQ, NetSuite, Zendesk, Slack) on {self.sandbox}")
        tokens = {}
        for name, roles in (("revops-demo", "revops"), ("demo-approver", "finance"),
                            ("demo-admin", "admin"), ("demo-auditor", "auditor")):
            out = json.loads(self.run("principals", "add", name, "--roles", roles, "--db", self.db,
                                      "--format", "json"))
            tokens[name] = out["token"]
        self.tokens = tokens
        for d in ("contract-to-cash", "contract-amendment", "milestone-billing", "renewal-monitor"):
            self.run("deploy", str(ROOT / "definitions" / f"{d}.yaml"), "--db", self.db)
        print("-- Deployed contract-to-cash, contract-amendment, milestone-billing and renewal-monitor")
        log = open(self.out / "covenant.log", "w")
        self.procs.append(subprocess.Popen([self.covenant, "serve", "--config", str(config)],
                                           stdout=log, stderr=log, env=self.env))
        self.wait_http(self.api + "/healthz", "covenant serve")
        print(f"-- Covenant serving on {self.api} (API, web pages and 4 workers)")

    def stop(self):
        for p in reversed(self.procs):
            p.terminate()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()

    def history(self, instance):
        return json.loads(self.run("history", instance, "--db", self.db, "--format", "json"))

    def status(self, instance):
        return json.loads(self.run("status", instance, "--db", self.db, "--format", "json"))

    def timeline(self, instance):
        events = self.history(instance)
        for e in events[self.seen:]:
            t = e.get("type", "")
            if t in QUIET:
                continue
            when = str(e.get("at", ""))[11:19]
            print(f"   {when} #{e.get('seq', ''):<4} {e.get('state', ''):<20} {describe(e)}")
        self.seen = len(events)
        return events

    def wait_for(self, instance, pred, what, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            events = self.timeline(instance)
            st = self.status(instance)
            if st.get("status") in ("failed", "cancelled"):
                raise SystemExit(f"demo: the instance {st.get('status')}: {json.dumps(st)[:800]}")
            if pred(events, st):
                return events, st
            time.sleep(0.3)
        raise SystemExit(f"demo: timed out waiting for {what}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--contract", default="examples/contracts/C-1042-acme.txt")
    ap.add_argument("--out")
    ap.add_argument("--summary")
    ap.add_argument("--auto-approve", action="store_true")
    ap.add_argument("--no-approve", action="store_true")
    ap.add_argument("--serve", action="store_true")
    ap.add_argument("--ready")
    args = ap.parse_args()
    # SIGTERM stops it as Ctrl-C does: the sandbox and covenant serve stop with it.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    # Ctrl-C stops it even when started with SIGINT ignored (in the background of a shell).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    auto = args.auto_approve or os.environ.get("DEMO_AUTO_APPROVE") == "1"
    demo = Demo(args)
    try:
        demo.start()
        contract = pathlib.Path(args.contract)
        if not contract.is_absolute() and not contract.exists():
            contract = ROOT / contract  # the shipped examples, from any directory
        rel = contract.resolve().relative_to(ROOT)
        instance = arrive_from_docusign(demo, contract, rel)
        print("   time     seq   state                what happened")

        # A person decides when there is one at a terminal to do it; never in CI.
        interactive = not auto and not args.no_approve and (sys.stdin.isatty() or args.serve)
        approval = open_gate(demo, instance, "Finance approval of the plan and schedule", interactive)
        if args.ready:
            tmp = pathlib.Path(args.ready + ".tmp")
            tmp.write_text(json.dumps({"api": demo.api, "sandbox": demo.sandbox, "instance": instance,
                                       "approval": approval["id"], "tokens": demo.tokens}))
            tmp.replace(args.ready)
        summary = {"instance": instance, "approval": approval, "approved": False}
        if not auto:
            if not interactive:
                print("\n   Stopped at the gate: nothing financial has been written. To decide it, run "
                      "`make demo` from a terminal\n   (it keeps serving and waits for you), or "
                      "DEMO_AUTO_APPROVE=1 make demo to let a demo approver do it.")
                summary["sandbox"] = sandbox_holdings(demo)
                write_summary(args, summary)
                return 0
            print("\n   Waiting for your decision (Ctrl-C to stop)…")
            asked = []

            def granted(events, st):
                # Changes requested: the terms go back to review; say where, once each time.
                n = sum(1 for e in events if e.get("type") == "ApprovalChangesRequested")
                if n > len(asked):
                    asked.append(n)
                    print(f"\n   Finance asked for changes. Review the terms in the browser:\n"
                          f"     {demo.api}/ui/review.html?id={instance}\n"
                          f"   signed in with the reviewer's token (revops-demo):\n"
                          f"     {demo.tokens['revops-demo']}\n"
                          f"   The plan is computed again and the gate opens anew.")
                return any(e.get("type") == "ApprovalGranted" for e in events)
            demo.wait_for(instance, granted, "a decision", timeout=24 * 3600)
        else:
            approve_by_callback(approval)
        summary["approved"] = True

        def awaiting_provisioning(events, st):
            return any(e.get("state") == "await_provisioning" for e in events)
        demo.wait_for(instance, awaiting_provisioning, "provisioning to be requested")
        print("\n-- The provisioning team confirms (covenant signal … provisioning.confirmed)")
        demo.run("signal", instance, "provisioning.confirmed", "--db", demo.db, "--data", "-",
                 stdin=json.dumps({"confirmed_by": "provisioning-team", "tenant": "acme-prod"}))

        def monitors_armed(events, st):
            done = {e.get("payload", {}).get("activity") for e in events
                    if e.get("type") == "ActivityCompleted"}
            states = [e.get("state") for e in events if e.get("type") == "ActivityCompleted"]
            return all(s in states for s in ("check_renewal", "check_sla", "reconcile")) or \
                {"monitor.renewal", "monitor.sla", "monitor.billing_accuracy"} <= done
        demo.wait_for(instance, monitors_armed, "the monitors")
        st = demo.status(instance)
        results = step_results(demo, instance)
        summary["milestones"] = []
        for m in results.get("billing_plan", {}).get("pending_milestones", []):
            summary["milestones"].append(
                bill_milestone(demo, m, results["billing_customer"]["id"], auto, interactive))
        summary.update(report(demo, instance, st))
        summary["amendment"] = amend(demo, auto, interactive)
        summary["views"] = book_views(demo)
        summary["sandbox"] = sandbox_holdings(demo)
        write_summary(args, summary)
        print(f"\n-- History (its hash chain verified as it is shown):\n"
              f"   {demo.covenant} history {instance} --db {demo.db}")
        if interactive:
            print(f"\n-- Still serving. In a browser, signed in with the auditor's token\n"
                  f"   {demo.tokens['demo-auditor']}\n"
                  f"   the audit page {demo.api}/ui/audit.html?id={instance}\n"
                  f"   and the instance {demo.api}/ui/instance.html?id={instance}\n"
                  f"   the views across the book {demo.api}/ui/views.html?view=revenue&from=2027-01&to=2028-02\n"
                  f"   Ctrl-C stops the demo.")
            while True:
                time.sleep(3600)
        print(f"   In a browser: {demo.covenant} serve --config {demo.out / 'covenant.yaml'}, then\n"
              f"   {demo.api}/ui/instance.html?id={instance}\n"
              f"   and the views across the book of contracts (docs/views.md):\n"
              f"   {demo.api}/ui/views.html?view=revenue&from=2027-01&to=2028-02\n"
              f"   {demo.api}/ui/views.html?view=renewals&within=365\n"
              f"   {demo.api}/ui/views.html?view=billing-accuracy\n"
              f"   {demo.api}/ui/views.html?view=sla\n"
              f"   {demo.api}/ui/views.html?view=handoffs\n"
              f"   {demo.api}/ui/views.html?view=renewal-risk&within=365")
        return 0
    except KeyboardInterrupt:
        print("\n-- Stopped.")
        return 0
    finally:
        demo.stop()


def amend(demo, auto, interactive):
    """Amendment No. 1 raises the platform fee from June 16, 2027: executed in DocuSign with a
    CPQ amendment quote, it starts contract-amendment, which links it to C-1042 in the book of
    contracts, recomputes the plan and the revenue schedule as a change, and — once finance
    approves only that change — writes it (docs/contract-to-cash.md#amendments-and-statements-of-work)."""
    text = (ROOT / "examples" / "contracts" / "C-1042-amendment-1.txt").read_text()
    code, quote = http_json("POST", f"{demo.sandbox}/_sandbox/cpq/quotes", {
        "start_date": "2027-02-01", "term_months": 12, "lines": [
            {"product": "platform", "name": "Platform, annual", "quantity": 1,
             "net_price": "48000.00", "term_months": 12},
            {"product": "seats", "name": "Seats", "quantity": 40, "net_price": "180.00",
             "term_months": 12},
            {"product": "onboarding", "name": "Onboarding (one-off)", "quantity": 1,
             "net_price": "1800.00"}]})
    if code != 201:
        raise SystemExit(f"demo: the sandbox's CPQ did not take the amendment quote ({code}): {quote}")
    envelope = {"vendor": "docusign", "id": "env-c1042-a1", "account_id": "acct-northwind",
                "title": "Please sign: Amendment No. 1", "text": text,
                "references": {"contract_id": "C-1042-A1", "document_kind": "amendment",
                               "quote_id": quote["quote_id"]}}
    code, _ = http_json("POST", f"{demo.sandbox}/_sandbox/clm/contracts", envelope)
    if code != 201:
        raise SystemExit(f"demo: the sandbox's DocuSign did not take the amendment ({code})")
    print("\n-- Amendment No. 1 (examples/contracts/C-1042-amendment-1.txt) is executed in DocuSign:\n"
          "   the platform fee goes from USD 43,200.00 to USD 48,000.00 a year from June 16, 2027")
    code, answer = http_json("POST", f"{demo.sandbox}/_sandbox/clm/deliver",
                             {"vendor": "docusign", "id": "env-c1042-a1",
                              "url": f"{demo.api}/v1/intake/docusign",
                              "secret": demo.env["DEMO_CONNECT_HMAC"]}, timeout=60)
    first = answer["deliveries"][0] if code == 200 else {}
    if first.get("status") != 202:
        raise SystemExit(f"demo: the amendment's delivery was not accepted: {answer}")
    instance = first["body"]["instance_id"]
    print(f"   Connect's delivery: {first['status']}, contract-amendment started: instance {instance}")
    demo.seen = 0
    approval = open_gate(demo, instance, "Finance approval of the amendment's change", interactive)
    change = approval["subject"].get("change", {})
    revenue = approval["subject"].get("revenue", {})
    print(f"   linked to {approval['subject'].get('agreement')} (version "
          f"{approval['subject'].get('version')}) by the title and date the amendment names")
    for a in change.get("adjustments", []):
        period = a["period"]
        if a["status"] == "prorated":
            print(f"   {period['start']}..{period['end']}: from {a['from']} credited "
                  f"{money(a['credit'])}, charged {money(a['charge'])}: {money(a['net'])} on a "
                  f"proration invoice")
        else:
            print(f"   {period['start']}..{period['end']}: invoiced by the subscription at the "
                  f"amended price, {money(a['net'])} more")
    sub = change.get("subscription_change") or {}
    if sub:
        print(f"   the subscription takes the amended prices on {sub['apply_on']} (after the last "
              f"invoice at the price before), from the period of {sub['from']}")
    print(f"   change over the term {money(change.get('total_change'))}; revenue: "
          f"{revenue.get('classification')}, transaction price "
          f"{money(revenue.get('transaction_price_before'))} -> "
          f"{money(revenue.get('transaction_price_after'))}")
    if auto:
        approve_by_callback(approval)
    else:
        print("\n   Waiting for your decision on the amendment (Ctrl-C to stop)…")
        demo.wait_for(instance, lambda events, st: any(e.get("type") == "ApprovalGranted"
                                                        for e in events),
                      "a decision", timeout=24 * 3600)

    def written(events, st):
        return st.get("status") == "completed" or any(
            f.get("state") == "reprice_when_due" and f.get("status") == "waiting"
            for f in st.get("at", []))
    demo.wait_for(instance, written, "the amendment's writes")
    st = demo.status(instance)
    if st.get("status") != "completed":
        print(f"   Written: the proration invoice and the ERP's modified revenue schedule; the "
              f"instance waits until {sub.get('apply_on')} to reprice the subscription")
    return {"instance": instance, "approval": approval["id"], "change": change,
            "status": st.get("status")}


def confirm_review(demo, instance):
    """Without a person at the terminal, the demo's reviewer (revops-demo) confirms the flagged
    terms as read, through the same API the review page uses, and says which and why."""
    token = demo.tokens["revops-demo"]
    code, review = http_json("GET", f"{demo.api}/v1/instances/{instance}/review", token=token)
    if code != 200:
        raise SystemExit(f"demo: the review of extracted terms cannot be read (HTTP {code}): {review}")
    flagged = [i for i in review.get("items", []) if i.get("flagged")]
    print(f"\n-- The extracted terms need a review ({len(flagged)} under min_confidence "
          f"{review.get('min_confidence')} or missing):")
    for i in flagged:
        conf = i.get("confidence")
        print(f"     {i['field']}: {json.dumps(i.get('value'))[:70]}  "
              f"({i['flagged']}{'' if conf is None else f', confidence {conf:.2f}'})")
    print("   No one is at this terminal: the demo's reviewer (revops-demo) confirms them as read.\n"
          "   From a terminal, you review them in the browser instead.")
    code, answer = http_json("POST", f"{demo.api}/v1/instances/{instance}/review",
                             {"corrections": [], "revision": review["revision"]}, token=token)
    if code not in (200, 202):
        raise SystemExit(f"demo: the review was not accepted (HTTP {code}): {answer}")


def open_gate(demo, instance, what, interactive=False):
    """Waits for the instance's approval gate and, when a person is there to decide it, shows
    how: the finance approver's token, the inbox URL and a curl line that works when pasted."""
    told = []

    def gate_open(events, st):
        # Terms extraction was unsure: a person reviews them before any plan is made.
        if any(f.get("state") == "review_terms" and f.get("status") == "waiting"
               for f in st.get("at", [])) and not told:
            told.append(True)
            if not interactive or not sys.stdin.isatty():
                confirm_review(demo, instance)
                return False
            print(f"\n-- The extracted terms need a review first:\n"
                  f"     {demo.api}/ui/review.html?id={instance}\n"
                  f"   signed in with the reviewer's token (revops-demo):\n"
                  f"     {demo.tokens['revops-demo']}")
        return any(e.get("type") == "ApprovalRequested" for e in events)
    demo.wait_for(instance, gate_open, "the approval gate", timeout=24 * 3600 if interactive else 120)
    code, approvals = http_json("GET", f"{demo.api}/v1/instances/{instance}/approvals",
                                token=demo.tokens["demo-admin"])
    approval = [a for a in approvals.get("approvals", approvals.get("items", []))
                if a.get("status") == "open"][0]
    subject = approval.get("subject", {})
    print(f"\n-- {what}: approval {approval['id']} is open")
    if isinstance(subject.get("billing"), dict):
        print(f"   billing plan total {money(subject['billing'].get('total'))}")
    if isinstance(subject.get("milestone"), dict):
        print(f"   milestone invoice {money(subject['milestone'].get('amount'))}")
    print(f"   digest {approval['digest'][:16]}…")
    if not interactive:
        return approval
    print(f"   Decide it in the browser: {demo.api}/ui/inbox.html\n"
          f"   signed in with the finance approver's token (demo-approver):\n"
          f"     {demo.tokens['demo-approver']}\n"
          f"   or with curl:\n"
          f"     export FINANCE_TOKEN={demo.tokens['demo-approver']}\n"
          f"     curl -X POST {demo.api}/v1/approvals/{approval['id']}/decisions \\\n"
          f"       -H \"Authorization: Bearer $FINANCE_TOKEN\" -H 'Content-Type: application/json' \\\n"
          f"       -d '{{\"decision\": \"approve\", \"digest\": \"{approval['digest']}\", "
          f"\"comment\": \"Checked against the contract\"}}'")
    return approval


def approve_by_callback(approval):
    """The demo approver decides with the single-use callback token from the signed
    approval.requested webhook, posted to the callback URL it names."""
    for _ in range(300):
        hooks = [h for h in Receiver.received if h.get("type") == "approval.requested"
                 and h.get("data", {}).get("approval", {}).get("id") == approval["id"]]
        cbs = [c for h in hooks for c in h["data"]["callbacks"]
               if c["approver"] == "demo-approver" and c.get("token")]
        if cbs:
            break
        time.sleep(0.1)
    else:
        raise SystemExit("demo: no callback token for demo-approver on its own channel for "
                         + approval["id"])
    cb = cbs[-1]
    code, answer = http_json("POST", cb["callback_url"],
                             {"decision": "approve", "digest": approval["digest"],
                              "comment": "Demo approver: matches the contract",
                              "decision_id": "demo-" + approval["id"]}, token=cb["token"])
    print(f"   demo-approver approves through the callback URL with its single-use token: "
          f"HTTP {code} {answer.get('status', answer) if isinstance(answer, dict) else answer}")
    if code not in (200, 201):
        raise SystemExit(f"demo: the decision was refused: {answer}")


def book_views(demo):
    """What the views across the book say of the demo's contract (docs/views.md)."""
    token = demo.tokens["demo-auditor"]
    print("\n-- The views across the book of contracts (GET /v1/views/..., docs/views.md)")
    out = {}
    code, revenue = http_json("GET", f"{demo.api}/v1/views/revenue?from=2027-01&to=2028-02",
                              token=token)
    if code != 200:
        raise SystemExit(f"demo: the revenue view answered {code}: {revenue}")
    for c in revenue["currencies"]:
        print(f"   revenue, {c['currency']}: {c['contracts']} contract(s), transaction price "
              f"{money(c['transaction_price'])}, scheduled by month {money(c['scheduled'])}, "
              f"awaiting an event {money(c['awaiting_event'])}: "
              f"{'ties to the minor unit' if c['ties'] else 'DOES NOT TIE'}")
    out["revenue"] = revenue
    for view, say in (("billing-accuracy", "discrepancies"), ("sla", "breaches")):
        code, body = http_json("GET", f"{demo.api}/v1/views/{view}", token=token)
        if code != 200:
            raise SystemExit(f"demo: the {view} view answered {code}: {body}")
        for r in body["rows"]:
            print(f"   {view}: {r['contract_id']} {r['status']} ({r[say]} {say}, checked {r['checked_on']})")
        out[view] = body
    code, body = http_json("GET", f"{demo.api}/v1/views/renewals?within=365", token=token)
    if code != 200:
        raise SystemExit(f"demo: the renewals view answered {code}: {body}")
    for r in body["rows"]:
        print(f"   renewal: {r['contract_id']} notice deadline {r['notice_deadline']} "
              f"({r['days_to_notice']} days), {'renews automatically' if r['auto_renews'] else 'ends'}")
    if not body["rows"]:
        print("   renewal: no notice deadline in the next 365 days")
    out["renewals"] = body
    code, body = http_json("GET", f"{demo.api}/v1/views/handoffs", token=token)
    if code != 200:
        raise SystemExit(f"demo: the handoffs view answered {code}: {body}")
    for r in body["rows"]:
        waited = ", ".join(f"{w['state']} ({w['kind']}) {w['seconds']} s" for w in r["waits"][:3])
        print(f"   handoffs: {r['contract_id']} signed to first invoice in {r['total_seconds']} s; "
              f"waited longest at {waited or 'nothing'}")
    out["handoffs"] = body
    code, body = http_json("GET", f"{demo.api}/v1/views/renewal-risk?within=365", token=token)
    if code != 200:
        raise SystemExit(f"demo: the renewal risk view answered {code}: {body}")
    for r in body["rows"]:
        why = "; ".join(f"{f['label']} {f['points']}" for f in r["factors"] if f["points"])
        print(f"   renewal risk: {r['contract_id']} {r['score']} ({r['level']}){': ' + why if why else ''}")
    if not body["rows"]:
        print("   renewal risk: no renewal in the next 365 days")
    out["renewal-risk"] = body
    return out


def sandbox_holdings(demo):
    out = {}
    for system, kind in (("stripe", "customer"), ("stripe", "subscription"), ("stripe", "price"),
                         ("stripe", "invoice"), ("netsuite", "customrecord_covenant_rev_schedule"),
                         ("salesforce", "Task"), ("salesforce", "Case")):
        code, body = http_json("GET", f"{demo.sandbox}/_sandbox/records?system={system}&kind={kind}")
        out[f"{system}.{kind}"] = body.get("records", body) if isinstance(body, dict) else body
    return out


def write_summary(args, summary):
    if args.summary:
        pathlib.Path(args.summary).write_text(json.dumps(summary, indent=2))


def step_results(demo, instance):
    """What each step produced, from the history (the same record finance audits)."""
    by_state = {"resolve_customer": "customer", "plan": "billing_plan",
                "revenue": "revenue_schedule", "check_renewal": "renewal", "check_sla": "sla",
                "reconcile": "reconciliation", "extract": "terms",
                "write_billing": "billing_customer"}
    data = {}
    for e in demo.history(instance):
        if e.get("type") == "ActivityCompleted" and e.get("state") in by_state:
            data[by_state[e["state"]]] = e["payload"].get("result", {})
    return data


def bill_milestone(demo, milestone, customer, auto, interactive=False):
    """A pending milestone: its own milestone-billing instance, the event that it happened,
    finance's approval of that one invoice, the invoice."""
    # The contract id is the business key of every instance about the contract; the start
    # key makes starting this milestone's instance twice start it once. Each milestone is an
    # instance of its own under the one contract: a duplicate business key, said so.
    inp = demo.out / f"milestone-{milestone['index']}.json"
    inp.write_text(json.dumps({"contract_id": "C-1042", "customer": customer,
                               "milestone": milestone}))
    instance = demo.run("start", "milestone-billing", "--db", demo.db, "--business-key", "C-1042",
                        "--allow-duplicate-business-key",
                        "--idempotency-key", f"C-1042/milestone-{milestone['index']}",
                        "--input", str(inp), "--as", "revops-demo").strip()
    demo.seen = 0
    print(f"\n-- Milestone {milestone['index']} ('{milestone['event']}', "
          f"{money(milestone['amount'])}): milestone-billing instance {instance}")
    print(f"   Delivery reports it: covenant signal {instance} milestone.reached")
    demo.run("signal", instance, "milestone.reached", "--db", demo.db, "--data", "-",
             stdin=json.dumps({"reported_by": "delivery", "evidence": "go-live checklist signed"}))
    approval = open_gate(demo, instance, "Finance approval of the milestone invoice", interactive)
    if not auto:
        print("   (left open: decide it in the inbox or as above)" if interactive else
              "   (left open)")
        return {"instance": instance, "approved": False}
    approve_by_callback(approval)
    demo.wait_for(instance, lambda ev, st: st.get("status") == "completed", "the milestone invoice")
    demo.timeline(instance)  # what happened between the last look and completion
    return {"instance": instance, "approved": True}


def report(demo, instance, st):
    data = step_results(demo, instance)
    plan = data.get("billing_plan", {})
    rev = data.get("revenue_schedule", {})
    print("\n== Summary ==")
    print(f"Customer: {data.get('customer', {}).get('legal_name')} "
          f"(CRM {data.get('customer', {}).get('external_id')}, match score {data.get('customer', {}).get('score')})")
    sub = plan.get("subscription") or {}
    if sub:
        print(f"Subscription from {sub.get('start_date')} to {sub.get('end_date')}, billed every "
              f"{plan['frequency']['interval_months']} months in {plan['frequency']['timing']}:")
        for it in sub.get("items", []):
            print(f"   {it['quantity']} x {it['name']} at {money(it['unit_amount'])} per period")
        for p in sub.get("periods", []):
            print(f"   period {p['start']}..{p['end']}: {money(p['amount'])}, due {p['due_date']}")
    print("Invoices the plan has Covenant write:")
    for inv in plan.get("invoices", []):
        print(f"   {inv['id']} {money(inv['total'])} due {inv['due_date']} ({inv['reason']})")
    for m in plan.get("pending_milestones", []):
        print(f"   milestone {m['index']}: {money(m['amount'])} on '{m['event']}' "
              f"(milestone-billing workflow)")
    print("Invoices in the billing system (the sandbox's Stripe):")
    code, body = http_json("GET", f"{demo.sandbox}/_sandbox/records?system=stripe&kind=invoice")
    for r in body.get("items", []):
        inv = r["body"]
        print(f"   {inv.get('number')} {inv['currency'].upper()} {inv['amount_due'] // 100:,}."
              f"{inv['amount_due'] % 100:02d} {inv['status']}: {inv.get('description', '')}")
    print(f"Plan total {money(plan.get('total'))}; revenue schedule ({rev.get('name')}):")
    by_period = {}
    for p in rev.get("periods", []):
        by_period[p["period"]] = by_period.get(p["period"], 0) + p["amount_minor"]
    for k, v in by_period.items():
        print(f"   {k:<34} {money({'amount_minor': v, 'currency': rev.get('currency')})}")
    print(f"   total {money({'amount_minor': sum(by_period.values()), 'currency': rev.get('currency')})}"
          f" = transaction price {money(rev.get('transaction_price'))}")
    ren = data.get("renewal", {})
    print("Monitors armed:")
    print(f"   renewal: {ren.get('status')}, term ends {ren.get('term_end')}, notice by "
          f"{ren.get('notice_date')}, RevOps alerted from {ren.get('alert_date')}")
    sla = data.get("sla", {})
    print(f"   SLA: {len(sla.get('breaches', []))} breach(es) found so far")
    rec = data.get("reconciliation", {})
    print(f"   billing accuracy: {len(rec.get('discrepancies', []))} discrepancy(ies) "
          f"({rec.get('expected')} invoices due so far)")
    return {"plan": plan, "revenue_schedule": rev, "data": data}


if __name__ == "__main__":
    sys.exit(main())
