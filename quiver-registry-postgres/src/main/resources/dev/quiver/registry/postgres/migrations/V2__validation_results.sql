-- Validation results (docs/validation.md): one row per rule result, a run's rows appended in one
-- statement; append-only like the audit log. at_nanos is nanoseconds since the epoch (exact), at the
-- same instant for SQL readers. samples is a JSON array of strings.
CREATE TABLE validation_results (
  seq          BIGSERIAL   PRIMARY KEY,
  at_nanos     BIGINT      NOT NULL,
  at           TIMESTAMPTZ NOT NULL,
  entry        TEXT        NOT NULL,
  view_name    TEXT        NOT NULL,
  feature      TEXT,
  rule         TEXT        NOT NULL,
  argument     TEXT        NOT NULL,
  on_fail      TEXT        NOT NULL,
  rows_checked BIGINT      NOT NULL,
  rows_failed  BIGINT      NOT NULL,
  samples      TEXT        NOT NULL,
  outcome      TEXT        NOT NULL
);
CREATE INDEX validation_results_at ON validation_results (at_nanos, seq);

CREATE FUNCTION validation_results_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the Quiver validation results are append-only';
END;
$$;
CREATE TRIGGER validation_results_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON validation_results
  FOR EACH STATEMENT EXECUTE FUNCTION validation_results_are_append_only();
