-- The views over the book of contracts (issue 23). What Finance and RevOps filter and add up
-- across contracts, kept beside the book and written in the same transaction as it:
--   book_index: one row per contract, the columns the views filter on (customer, owner, kind,
--     currency), its plan's total, its transaction price (what its revenue schedule allocates:
--     after an amendment, the modified consideration) and dates, and the revenue that waits for an event (a
--     milestone not yet reached: no month to recognise it in yet);
--   book_months: per contract and month, the revenue its schedule recognises and what its plan
--     bills (minor units of the contract's currency);
--   book_month_totals: the same added up per (currency, month, kind, owner), moved by each
--     contract's change, so a view over the whole book reads a few hundred rows, not millions;
--   contract_findings: each monitor's latest finding per contract (renewal, sla,
--     billing_accuracy), with its status, a tag the views count by (a renewal: auto_renews or
--     ends), the date it is due (`due_on`, '' when none), how many items it counted (breaches,
--     discrepancies, renewal notices sent) and the money they come to, and the finding itself
--     (`body`); and the contract's kind, customer, owner and currency as the index has them
--     (copied there by the store when either is written), so a view's counts filter one table.
CREATE TABLE book_index (
  namespace TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  customer TEXT NOT NULL,
  customer_name TEXT NOT NULL,
  owner TEXT NOT NULL,
  currency TEXT NOT NULL,
  total_minor BIGINT NOT NULL,
  price_minor BIGINT NOT NULL,
  pending_minor BIGINT NOT NULL,
  signed_on TEXT NOT NULL,
  service_start TEXT NOT NULL,
  service_end TEXT NOT NULL,
  PRIMARY KEY (namespace, contract_id)
);
CREATE INDEX book_index_by_customer ON book_index (namespace, customer, contract_id);
CREATE INDEX book_index_totals ON book_index (namespace, currency, kind, owner, total_minor, price_minor, pending_minor);
CREATE TABLE book_months (
  namespace TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  month TEXT NOT NULL,
  currency TEXT NOT NULL,
  recognised_minor BIGINT NOT NULL,
  billed_minor BIGINT NOT NULL,
  PRIMARY KEY (namespace, contract_id, month)
);
CREATE TABLE book_month_totals (
  namespace TEXT NOT NULL,
  currency TEXT NOT NULL,
  month TEXT NOT NULL,
  kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  recognised_minor BIGINT NOT NULL,
  billed_minor BIGINT NOT NULL,
  PRIMARY KEY (namespace, currency, month, kind, owner)
);
CREATE TABLE contract_findings (
  namespace TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  monitor TEXT NOT NULL,
  kind TEXT NOT NULL,
  customer TEXT NOT NULL,
  owner TEXT NOT NULL,
  book_currency TEXT NOT NULL,
  status TEXT NOT NULL,
  tag TEXT NOT NULL,
  due_on TEXT NOT NULL,
  items BIGINT NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency TEXT NOT NULL,
  observed_on TEXT NOT NULL,
  body TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  recorded_us BIGINT NOT NULL,
  PRIMARY KEY (namespace, contract_id, monitor)
);
CREATE INDEX contract_findings_by_due ON contract_findings (namespace, monitor, due_on, contract_id, tag);
CREATE INDEX contract_findings_by_items ON contract_findings (namespace, monitor, items, contract_id);
CREATE INDEX contract_findings_totals ON contract_findings (namespace, monitor, currency, items, amount_minor);
ALTER TABLE book_index ENABLE ROW LEVEL SECURITY;
ALTER TABLE book_index FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON book_index USING (covenant_in_scope(namespace));
ALTER TABLE book_months ENABLE ROW LEVEL SECURITY;
ALTER TABLE book_months FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON book_months USING (covenant_in_scope(namespace));
ALTER TABLE book_month_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE book_month_totals FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON book_month_totals USING (covenant_in_scope(namespace));
ALTER TABLE contract_findings ENABLE ROW LEVEL SECURITY;
ALTER TABLE contract_findings FORCE ROW LEVEL SECURITY;
CREATE POLICY namespace_scope ON contract_findings USING (covenant_in_scope(namespace));
