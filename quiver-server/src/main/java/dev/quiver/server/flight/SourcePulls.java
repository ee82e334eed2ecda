package dev.quiver.server.flight;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.LatestRowsPlan;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.security.Resource;
import dev.quiver.core.spi.SourceColumn;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Feast's {@code pull_latest_from_table_or_query} and {@code pull_all_from_table_or_query} over a
 * Quiver file source or a stream source's batch twin, as Quiver's materialization reads it ({@link LatestRowsPlan}): the rows with
 * {@code start <= event_ts < end} and non-null keys; for {@code pull_latest} the latest per key by
 * {@code (event_ts, created_ts, file order)} (DESIGN §3 ties), for {@code pull_all} every such row,
 * ordered by key, then that order. Columns: the join keys, the features, the timestamp column and the
 * created column when Feast names one, with the source's names and types. Feast names the source as
 * the registry shows it ({@code S} or its files {@code S_files}) and its columns as the files spell them.
 */
final class SourcePulls {
  private SourcePulls() {}

  /** A pull, planned: what the engine reads and how its columns are renamed for Feast. */
  record Pull(FileSource source, LatestRowsPlan plan, List<String> columns, Map<String, String> renames) {}

  /**
   * The files a Feast data source name stands for, or empty: a file source, or a stream source's batch
   * twin (the files its consumer appends to, which Feast's {@code KafkaSource} names as its batch
   * source {@code S_files}), named {@code S} or {@code S_files}.
   */
  static java.util.Optional<FileSource> source(FeatureRepo repo, String name) {
    for (Source s : repo.appliedDefinitions().sources()) {
      if (s.name().equals(name) || (s.name() + "_files").equals(name)) {
        return java.util.Optional.of(s.batch());
      }
    }
    return java.util.Optional.empty();
  }

  static Resource resource(FileSource source) {
    return new Resource(Resource.Kind.SOURCE, source.name(), source.metadata().tags());
  }

  /** Plans a pull from Feast's command. */
  static Pull plan(FeatureRepo repo, FileSource source, FeastCommand command) {
    List<String> keys = command.required("join_key_columns");
    List<String> features = command.texts("feature_name_columns");
    String timestamp = command.text("timestamp_field");
    String created = command.text("created_timestamp_column");
    if (timestamp != null && !timestamp.equals(source.timestampColumn())) {
      throw new InvalidRequestException("source '" + source.name() + "' keeps its event time in column '"
          + source.timestampColumn() + "', not '" + timestamp + "'");
    }
    if (created != null && !created.isEmpty() && !created.equals(source.createdColumn())) {
      throw new InvalidRequestException("source '" + source.name() + "' has " + (source.createdColumn() == null
          ? "no created column" : "its created time in column '" + source.createdColumn() + "'") + ", not '" + created + "'");
    }
    Instant start = time(command, "start_date", Instant.EPOCH.minus(Duration.ofDays(365L * 1000)));
    Instant end = time(command, "end_date", Instant.parse("9999-01-01T00:00:00Z"));
    if (!start.isBefore(end)) {
      throw new InvalidRequestException("start_date " + start + " is not before end_date " + end);
    }
    Map<String, ValueType> types = new HashMap<>();
    String relation = "SELECT * FROM " + repo.offline().quoteIdentifier(source.name());
    for (SourceColumn c : repo.offline().describe(new QueryInput.Sql(relation), List.of(source), repo.config().root())) {
      types.put(c.name(), c.type());
    }
    List<PointInTimePlan.KeyBinding> bindings = new ArrayList<>();
    for (String k : keys) {
      if (!(type(types, source, k) instanceof ScalarType s)) {
        throw new InvalidRequestException("column '" + k + "' of source '" + source.name() + "' is a list; a join key is a scalar");
      }
      bindings.add(new PointInTimePlan.KeyBinding(k, k, s));
    }
    List<PointInTimePlan.LatestValue> values = new ArrayList<>();
    for (String f : features) {
      values.add(new PointInTimePlan.LatestValue(null, f, f, type(types, source, f)));
    }
    // Quiver's plan reads [start, end]; Feast asks for [start, end): one microsecond less (timestamps are microseconds)
    LatestRowsPlan plan = new LatestRowsPlan("feast pull of " + source.name(), source, bindings, values, start,
        end.minusNanos(1_000));
    List<String> columns = new ArrayList<>(keys);
    columns.addAll(features);
    columns.add(LatestRowsPlan.EVENT_TS);
    Map<String, String> renames = new HashMap<>(Map.of(LatestRowsPlan.EVENT_TS, source.timestampColumn()));
    if (source.createdColumn() != null && created != null && !created.isEmpty()) {
      columns.add(LatestRowsPlan.CREATED_TS);
      renames.put(LatestRowsPlan.CREATED_TS, source.createdColumn());
    }
    return new Pull(source, plan, columns, renames);
  }

  private static ValueType type(Map<String, ValueType> types, FileSource source, String column) {
    ValueType t = types.get(column);
    if (t == null) {
      throw new NotFoundException("source '" + source.name() + "' has no column '" + column + "'" + (types.containsKey(column)
          ? " of a type Quiver reads" : "; its columns: " + String.join(", ", new java.util.TreeSet<>(types.keySet()))));
    }
    return t;
  }

  private static Instant time(FeastCommand command, String name, Instant absent) {
    String text = command.text(name);
    if (text == null || text.isBlank()) {
      return absent;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      try {
        return java.time.LocalDateTime.parse(text).toInstant(java.time.ZoneOffset.UTC); // Feast's naive times are UTC
      } catch (DateTimeParseException again) {
        throw new InvalidRequestException(name + " '" + text + "' is not an ISO-8601 time");
      }
    }
  }

  /** The engine's rows reduced to the pull's columns, in the pull's order, renamed. */
  static HistoricalRows project(HistoricalRows rows, Pull pull) {
    List<String> names = rows.columns().stream().map(PointInTimePlan.Column::name).toList();
    int[] from = pull.columns().stream().mapToInt(names::indexOf).toArray();
    List<PointInTimePlan.Column> columns = new ArrayList<>();
    for (int i = 0; i < from.length; i++) {
      PointInTimePlan.Column c = rows.columns().get(from[i]);
      columns.add(new PointInTimePlan.Column(pull.renames().getOrDefault(c.name(), c.name()), c.type()));
    }
    return new HistoricalRows() {
      @Override
      public List<PointInTimePlan.Column> columns() {
        return columns;
      }

      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Object[] next() {
        Object[] row = rows.next();
        Object[] out = new Object[from.length];
        for (int i = 0; i < from.length; i++) {
          out[i] = row[from[i]];
        }
        return out;
      }

      @Override
      public void close() {
        rows.close();
      }
    };
  }
}
