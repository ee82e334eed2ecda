-- Skew results (docs/monitoring.md, "Skew"): one row per feature and run of `quiver monitor skew` or
-- the server's schedule, a run's rows appended in one transaction; append-only like the validation
-- results. at_nanos is nanoseconds since the epoch (exact), at the same instant for SQL readers;
-- since/until bound the served times compared (null: unbounded). examples is a JSON array of strings.
CREATE TABLE skew_results (
  seq           BIGSERIAL   PRIMARY KEY,
  at_nanos      BIGINT      NOT NULL,
  at            TIMESTAMPTZ NOT NULL,
  service       TEXT        NOT NULL,
  feature       TEXT        NOT NULL,
  since_nanos   BIGINT,
  until_nanos   BIGINT,
  rows_compared BIGINT      NOT NULL,
  mismatches    BIGINT      NOT NULL,
  examples      TEXT        NOT NULL
);
CREATE INDEX skew_results_at ON skew_results (at_nanos, seq);

CREATE FUNCTION skew_results_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the Quiver skew results are append-only';
END;
$$;
CREATE TRIGGER skew_results_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON skew_results
  FOR EACH STATEMENT EXECUTE FUNCTION skew_results_are_append_only();
