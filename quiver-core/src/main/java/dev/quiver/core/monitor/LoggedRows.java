package dev.quiver.core.monitor;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The logged rows of one service in a time range, read file by file through the offline engine and
 * sampled uniformly (reservoir sampling, seeded) down to the requested size, then put back in log
 * order. Memory holds the sample. Not thread-safe.
 */
final class LoggedRows {
  static final String SERVED_AT = "served_at";
  static final String SERVICE_VERSION = "service_version";
  /** The log's columns that are neither keys, request data nor features. */
  static final List<String> META = List.of("request_id", SERVED_AT, "registry_version", "service", SERVICE_VERSION);

  /** The columns of one log file: a new service version starts a new file, so files differ. */
  record Schema(Path file, List<PointInTimePlan.Column> columns, Map<String, Integer> index) {
    static Schema of(Path file, List<PointInTimePlan.Column> columns) {
      Map<String, Integer> index = new HashMap<>();
      for (int i = 0; i < columns.size(); i++) {
        index.put(columns.get(i).name(), i);
      }
      return new Schema(file, List.copyOf(columns), Map.copyOf(index));
    }

    PointInTimePlan.Column column(String name) {
      Integer i = index.get(name);
      return i == null ? null : columns.get(i);
    }

    Object value(Object[] row, String name) {
      Integer i = index.get(name);
      return i == null ? null : row[i];
    }
  }

  /** One logged row: its file's schema, its values, its place in the log. */
  record Row(Schema schema, Object[] values, long order, int serviceVersion, Instant servedAt) {
    Object value(String column) {
      return schema.value(values, column);
    }
  }

  final List<Row> sample;
  final long logged;
  final int files;

  private LoggedRows(List<Row> sample, long logged, int files) {
    this.sample = sample;
    this.logged = logged;
    this.files = files;
  }

  static LoggedRows read(OfflineEngine engine, List<Path> files, SkewRequest request) {
    SplittableRandom random = new SplittableRandom(request.seed());
    List<Row> reservoir = new ArrayList<>();
    long seen = 0;
    for (Path file : files) {
      try (HistoricalRows rows = engine.read(file, FileFormat.PARQUET)) {
        Schema schema = Schema.of(file, rows.columns());
        for (String required : List.of(SERVED_AT, SERVICE_VERSION)) {
          if (schema.column(required) == null) {
            throw new QuiverException("feature log " + file + " has no column '" + required + "': it is not a feature log"
                + " of this Quiver (docs/monitoring.md, \"Feature logging\"); move it out of the log directory");
          }
        }
        while (rows.hasNext()) {
          Object[] values = rows.next();
          Instant at = instant(schema.value(values, SERVED_AT));
          Object version = schema.value(values, SERVICE_VERSION);
          if (at == null || version == null || (request.since() != null && at.isBefore(request.since()))
              || (request.until() != null && !at.isBefore(request.until()))) {
            continue;
          }
          Row row = new Row(schema, values, seen, ((Number) version).intValue(), at);
          seen++;
          if (reservoir.size() < request.sample()) {
            reservoir.add(row);
          } else {
            long j = random.nextLong(seen);
            if (j < request.sample()) {
              reservoir.set((int) j, row);
            }
          }
        }
      }
    }
    reservoir.sort(Comparator.comparingLong(Row::order));
    return new LoggedRows(reservoir, seen, files.size());
  }

  static Instant instant(Object v) {
    return switch (v) {
      case null -> null;
      case Instant i -> i;
      case java.time.OffsetDateTime o -> o.toInstant();
      case java.time.LocalDateTime l -> l.toInstant(java.time.ZoneOffset.UTC);
      case java.sql.Timestamp t -> t.toInstant();
      default -> throw new QuiverException("the feature log's served_at holds " + v.getClass().getSimpleName()
          + " values, not timestamps; it is not a feature log of this Quiver");
    };
  }
}
