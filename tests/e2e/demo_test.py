#!/usr/bin/env python3
"""End to end: the shipped demo, run as `make demo` runs it, on a throwaway directory.

    demo_test.py BUILD_DIR approved FILE   the contract (text or PDF) goes all the way; the
                                           sandbox then holds exactly the customer, subscription
                                           and invoices the billing plan says, to the cent, and a
                                           revenue schedule summing to the transaction price
    demo_test.py BUILD_DIR unapproved      without an approval nothing financial reaches the
                                           sandbox (no price, subscription, invoice or revenue
                                           schedule) although the instance got to the gate
"""
import json
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def items(holdings, key):
    v = holdings.get(key, {})
    return v.get("items", []) if isinstance(v, dict) else v


def run_demo(build, out, *flags, contract=None):
    cmd = [sys.executable, str(ROOT / "scripts" / "demo.py"), build, "--out", str(out),
           "--summary", str(out / "summary.json"), *flags]
    if contract:
        cmd += ["--contract", contract]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                       timeout=600)
    print(r.stdout[-4000:])
    if r.returncode != 0:
        print(r.stderr[-4000:])
        raise SystemExit(f"demo.py exited {r.returncode}")
    return json.loads((out / "summary.json").read_text())


def approved(build, contract):
    with tempfile.TemporaryDirectory() as d:
        s = run_demo(build, pathlib.Path(d), "--auto-approve", contract=contract)
    plan, rev, box = s["plan"], s["revenue_schedule"], s["sandbox"]
    check(s["approved"], "the demo approver's callback decision was accepted")
    customers = items(box, "stripe.customer")
    check(len(customers) == 1, f"one billing customer (found {len(customers)})")
    check(customers and customers[0]["body"]["name"] == "Acme Corporation",
          "the customer is the resolved CRM account, Acme Corporation")
    # The subscription: one, with the plan's items, unit prices and quantities.
    subs = items(box, "stripe.subscription")
    check(len(subs) == 1, f"one subscription (found {len(subs)})")
    prices = {p["id"]: p["body"] for p in items(box, "stripe.price")}
    want = sorted((it["unit_amount"]["amount_minor"], it["quantity"], it["interval_count"])
                  for it in plan["subscription"]["items"])
    got = sorted((prices[i["price"]]["unit_amount"], i["quantity"],
                  int(prices[i["price"]]["recurring"]["interval_count"]))
                 for i in subs[0]["body"]["items"]["data"]) if subs else []
    check(got == want, f"subscription items {got} are the plan's {want}")
    per_period = sum(a * q for a, q, _ in got)
    check(all(p["amount"]["amount_minor"] == per_period for p in plan["subscription"]["periods"]),
          f"each subscription period bills the plan's amount ({per_period})")
    # Invoices: exactly the plan's, to the cent, finalized.
    # (the plan's own now, and each pending milestone's once milestone-billing approved it)
    # (and Amendment No. 1's: its proration invoice, approved on its own)
    invoices = items(box, "stripe.invoice")
    amendment = s.get("amendment") or {}
    change = amendment.get("change") or {}
    want_inv = sorted([(i["items"][0]["description"], i["total"]["amount_minor"])
                       for i in plan["invoices"]] +
                      [(m["description"], m["amount"]["amount_minor"])
                       for m in plan["pending_milestones"]] +
                      [(i["items"][0]["description"], i["total"]["amount_minor"])
                       for i in change.get("invoices", [])])
    got_inv = sorted((i["body"]["lines"]["data"][0]["description"], i["body"]["amount_due"])
                     for i in invoices)
    check(got_inv == want_inv, f"invoices {got_inv} are the plan's {want_inv}")
    check(len(s["milestones"]) == len(plan["pending_milestones"]) == 1 and
          all(m["approved"] for m in s["milestones"]), "the go-live milestone was approved and billed")
    check(all(i["body"]["status"] == "open" for i in invoices), "every invoice was finalized")
    # Everything billed adds up to the transaction price.
    billed = sum(p["amount"]["amount_minor"] for p in plan["subscription"]["periods"]) + \
        sum(i["total"]["amount_minor"] for i in plan["invoices"]) + \
        sum(m["amount"]["amount_minor"] for m in plan["pending_milestones"])
    check(billed == plan["total"]["amount_minor"] == 5220000,
          f"the plan bills {billed} = USD 52,200.00 over the term")
    # The revenue schedule, as computed and as the ERP holds it.
    check(sum(p["amount_minor"] for p in rev["periods"]) == rev["transaction_price"]["amount_minor"]
          == 5220000, "the revenue schedule sums to the transaction price")
    # Amendment No. 1: linked to C-1042, USD 3,006.45 more over the term (whatever today is:
    # what is prorated now and what the subscription bills later add up to it), approved alone.
    check(change.get("agreement") == "C-1042", "the amendment was linked to C-1042")
    check((change.get("total_change") or {}).get("amount_minor") == 300645,
          f"the amendment changes the term by USD 3,006.45 ({change.get('total_change')})")
    check((change.get("total_after") or {}).get("amount_minor") == 5520645,
          "the amended contract brings in USD 55,206.45")
    sub_change = change.get("subscription_change") or {}
    check(sub_change.get("apply_on", "") >= "2027-05-02",
          f"the subscription is repriced after May's invoice ({sub_change.get('apply_on')})")
    invoiced = sum(i["total"]["amount_minor"] for i in change.get("invoices", []))
    check(invoiced + change["writes"]["subscription"]["amount_minor"] == 300645,
          "what is invoiced now and what the subscription bills later is the change")
    # The ERP holds the schedule as modified: the amended contract's consideration.
    erp = items(box, "netsuite.customrecord_covenant_rev_schedule")
    check(len(erp) == 1, f"one revenue schedule in the ERP (found {len(erp)})")
    if erp:
        cents = sum(int(p["amount"].replace(".", "")) for p in erp[0]["body"]["custrecord_cov_periods"])
        check(cents == 5520645, f"the ERP's schedule sums to {cents} minor units")
        check(erp[0]["body"]["custrecord_cov_total"] == "55206.45", "the ERP's total is 55206.45")
    tasks = items(box, "salesforce.Task")
    check(len(tasks) == 2, f"one provisioning task per entitlement (found {len(tasks)})")
    data = s["data"]
    check(data["renewal"]["notice_date"] == "2027-12-03", "the renewal notice deadline is armed")
    check(data["reconciliation"]["discrepancies"] == [], "billing accuracy finds no discrepancy")


def unapproved(build):
    with tempfile.TemporaryDirectory() as d:
        s = run_demo(build, pathlib.Path(d), "--no-approve")
    box = s["sandbox"]
    check(not s["approved"], "the demo stopped at the approval gate")
    check(s["approval"]["status"] == "open", "the approval is open")
    for key in ("stripe.price", "stripe.subscription", "stripe.invoice",
                "netsuite.customrecord_covenant_rev_schedule", "salesforce.Task"):
        check(items(box, key) == [], f"nothing in {key} before the approval")


if __name__ == "__main__":
    build = sys.argv[1]
    if sys.argv[2] == "approved":
        approved(build, sys.argv[3])
    else:
        unapproved(build)
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
