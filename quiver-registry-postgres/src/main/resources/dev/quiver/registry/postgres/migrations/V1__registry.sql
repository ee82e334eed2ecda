-- Quiver's registry in PostgreSQL, schema version 1. Flyway runs it in the configured schema
-- (registry.schema, default quiver); never edit it once released: add V2__... instead.

-- One row per registry version. body holds the RegistryCodec bytes, exactly as the file registry
-- stores them in versions/NNNNNNNNNN.json; the other columns repeat its audit record for SQL readers.
-- The primary key is what makes commits exclusive: of several writers inserting version N, one wins.
CREATE TABLE versions (
  version      BIGINT      PRIMARY KEY CHECK (version >= 1),
  parent       BIGINT      NOT NULL CHECK (parent = version - 1),
  author       TEXT        NOT NULL,
  applied_at   TIMESTAMPTZ NOT NULL,
  message      TEXT        NOT NULL,
  content_hash TEXT        NOT NULL,
  body         BYTEA       NOT NULL
);

-- Saved training sets: body holds RegistryCodec.encodeDataset bytes (datasets/NAME.json).
CREATE TABLE datasets (
  name       TEXT        PRIMARY KEY,
  author     TEXT        NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  body       BYTEA       NOT NULL
);

-- Materialization watermarks, one per view version: body holds RegistryCodec.encodeWatermark bytes
-- (watermarks/NAME@vN.json). Advanced under SELECT ... FOR UPDATE, only ever forward.
CREATE TABLE watermarks (
  view             TEXT        PRIMARY KEY,
  end_at           TIMESTAMPTZ NOT NULL,
  registry_version BIGINT      NOT NULL,
  body             BYTEA       NOT NULL
);

-- API tokens, hashed; times are ISO-8601 instants (Instant.toString), exact to the nanosecond.
CREATE TABLE api_tokens (
  id      TEXT PRIMARY KEY,
  name    TEXT NOT NULL,
  roles   TEXT[] NOT NULL,
  hash    TEXT NOT NULL,
  created TEXT NOT NULL,
  expires TEXT,
  revoked TEXT
);

-- The audit log: append-only. at_nanos is nanoseconds since the epoch (exact), at the same instant
-- in microseconds for SQL readers. UPDATE and DELETE are refused by a trigger.
CREATE TABLE audit_log (
  seq       BIGSERIAL   PRIMARY KEY,
  at_nanos  BIGINT      NOT NULL,
  at        TIMESTAMPTZ NOT NULL,
  principal TEXT        NOT NULL,
  method    TEXT        NOT NULL,
  action    TEXT        NOT NULL,
  resource  TEXT        NOT NULL,
  client    TEXT        NOT NULL,
  outcome   TEXT        NOT NULL,
  detail    TEXT        NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at_nanos, seq);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the Quiver audit log is append-only';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
