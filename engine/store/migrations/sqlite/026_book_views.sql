-- The views over the book (issue 23): see the PostgreSQL migration of the same number.
CREATE TABLE book_index (
  namespace TEXT NOT NULL,
  contract_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  customer TEXT NOT NULL,
  customer_name TEXT NOT NULL,
  owner TEXT NOT NULL,
  currency TEXT NOT NULL,
  total_minor INTEGER NOT NULL,
  price_minor INTEGER NOT NULL,
  pending_minor INTEGER NOT NULL,
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
  recognised_minor INTEGER NOT NULL,
  billed_minor INTEGER NOT NULL,
  PRIMARY KEY (namespace, contract_id, month)
);
CREATE TABLE book_month_totals (
  namespace TEXT NOT NULL,
  currency TEXT NOT NULL,
  month TEXT NOT NULL,
  kind TEXT NOT NULL,
  owner TEXT NOT NULL,
  recognised_minor INTEGER NOT NULL,
  billed_minor INTEGER NOT NULL,
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
  items INTEGER NOT NULL,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  observed_on TEXT NOT NULL,
  body TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  recorded_us INTEGER NOT NULL,
  PRIMARY KEY (namespace, contract_id, monitor)
);
CREATE INDEX contract_findings_by_due ON contract_findings (namespace, monitor, due_on, contract_id, tag);
CREATE INDEX contract_findings_by_items ON contract_findings (namespace, monitor, items, contract_id);
CREATE INDEX contract_findings_totals ON contract_findings (namespace, monitor, currency, items, amount_minor);
