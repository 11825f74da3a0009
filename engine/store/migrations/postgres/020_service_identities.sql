-- Service identities (issue 21): a principal is a person or a service (a machine: a CRM, a CLM,
-- a scheduler). A service's tokens reach only the routes its scopes name ("instances:write",
-- "documents:read", …: a JSON list); it never decides an approval. Principals from before are
-- people, with no scopes (they are not scoped).
ALTER TABLE principals ADD COLUMN kind TEXT NOT NULL DEFAULT 'person';
ALTER TABLE principals ADD COLUMN scopes TEXT NOT NULL DEFAULT '[]';
