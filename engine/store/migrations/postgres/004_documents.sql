-- Evidence storage: each document's bytes once, keyed by their SHA-256 (content_b64 holds the
-- bytes in base64 so both databases keep them as plain text), with the text read from it
-- (offsets in extracted terms point into this text). document_versions lists, per contract,
-- every distinct document it was given, in order; a contract's current document is its
-- highest version.
CREATE TABLE documents (
  sha256 TEXT PRIMARY KEY,
  media_type TEXT NOT NULL,
  bytes BIGINT NOT NULL,
  pages INTEGER NOT NULL,
  content_b64 TEXT NOT NULL,
  text TEXT NOT NULL,
  created_us BIGINT NOT NULL
);

CREATE TABLE document_versions (
  contract_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  sha256 TEXT NOT NULL REFERENCES documents (sha256),
  source TEXT NOT NULL,
  created_us BIGINT NOT NULL,
  PRIMARY KEY (contract_id, version)
);
CREATE INDEX document_versions_by_sha ON document_versions (sha256);
