package dev.quiver.cli;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.Durations;
import dev.quiver.core.monitor.CategoryBins;
import dev.quiver.core.monitor.DriftStatistics;
import dev.quiver.core.monitor.report.Report;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Drift over time for {@code quiver monitor report}: the current side cut into time buckets by a
 * time column, and each compared feature's PSI per bucket against the whole baseline, over the bins
 * {@code quiver monitor drift} uses (the baseline's quantile bins, its top-K categories and other).
 * DuckDB groups the rows; only counts per bucket and bin are held.
 */
final class Timeline {
  private final DriftInput current;
  private final String column;
  private final Duration width;
  private final DriftOptions options;
  private final String note;
  private final TreeMap<Long, Long> rows;
  private final List<Report.Series> series = new ArrayList<>();

  private Timeline(DriftInput current, String column, Duration width, DriftOptions options, String note) {
    this.current = current;
    this.column = column;
    this.width = width;
    this.options = options;
    this.note = note;
    this.rows = column == null ? new TreeMap<>() : current.rowsPerBucket(column, micros(width));
  }

  /**
   * The timeline of {@code current} by {@code requested} (null: {@link ReportCommand#TIME_COLUMNS}, else
   * its only timestamp column), in buckets of {@code width} (null: by the data's span).
   *
   * @throws InvalidRequestException when the requested column is missing or not a time, or the buckets are too many
   */
  static Timeline of(DriftInput current, String requested, Duration width, DriftOptions options) {
    String column = requested;
    if (column != null) {
      if (!current.has(column)) {
        throw new InvalidRequestException("--time-column " + column + " is not a column of " + current.label + "; its columns: "
            + String.join(", ", current.columns()));
      }
      if (current.kind(column) != DriftInput.ColumnKind.TIMESTAMP) {
        throw new InvalidRequestException("--time-column " + column + " is " + current.type(column) + ", not a timestamp or date");
      }
    } else {
      column = ReportCommand.TIME_COLUMNS.stream().filter(c -> current.has(c) && current.kind(c) == DriftInput.ColumnKind.TIMESTAMP)
          .findFirst().orElse(null);
      if (column == null) {
        List<String> times = current.columns().stream().filter(c -> current.kind(c) == DriftInput.ColumnKind.TIMESTAMP).toList();
        if (times.size() != 1) {
          return new Timeline(current, null, null, options, "The current side has " + (times.isEmpty() ? "no time column"
              : "several time columns (" + String.join(", ", times) + ")") + "; give --time-column to see drift over time.");
        }
        column = times.get(0);
      }
    }
    long[] range = current.timeRange(column);
    if (range == null) {
      return new Timeline(current, null, null, options, "The current side's " + column + " holds no times.");
    }
    Duration span = Duration.of(range[1] - range[0], ChronoUnit.MICROS);
    Duration w = width != null ? width
        : span.compareTo(Duration.ofDays(2)) <= 0 ? Duration.ofHours(1) : span.compareTo(Duration.ofDays(90)) <= 0 ? Duration.ofDays(1) : Duration.ofDays(7);
    long buckets = Math.floorDiv(range[1], micros(w)) - Math.floorDiv(range[0], micros(w)) + 1;
    if (buckets > ReportCommand.MAX_BUCKETS) {
      throw new InvalidRequestException("--bucket " + Durations.format(w) + " cuts " + Durations.format(span) + " of " + column + " into "
          + buckets + " buckets, more than " + ReportCommand.MAX_BUCKETS + "; give a wider --bucket");
    }
    return new Timeline(current, column, w, options, "");
  }

  /** Adds a numeric feature's PSI per bucket over the baseline's quantile bins. */
  void numeric(String feature, DriftInput.Numbers baseline) {
    if (column == null || baseline.values().length == 0 || !current.has(feature)) {
      return;
    }
    double[] edges = DriftStatistics.quantileEdges(baseline.values(), options.bins);
    long[] base = DriftStatistics.histogram(baseline.values(), edges);
    TreeMap<Long, long[]> perBucket = current.histogramsPerBucket(feature, column, micros(width), edges);
    add(feature, start -> {
      long[] c = perBucket.get(start);
      return c == null ? Double.NaN : DriftStatistics.psi(base, c);
    });
  }

  /** Adds a categorical feature's PSI per bucket over the baseline's top-K categories and other. */
  void categorical(String feature, DriftInput.Counts baseline) {
    if (column == null || baseline.counts().isEmpty() || !current.has(feature)) {
      return;
    }
    TreeMap<Long, Map<String, Long>> perBucket = current.countsPerBucket(feature, column, micros(width));
    add(feature, start -> {
      Map<String, Long> c = perBucket.get(start);
      if (c == null) {
        return Double.NaN;
      }
      CategoryBins bins = DriftStatistics.categoryBins(baseline.counts(), c, options.topK);
      return DriftStatistics.psi(bins.baseline(), bins.current());
    });
  }

  private void add(String feature, java.util.function.LongToDoubleFunction psiAt) {
    double[] values = new double[rows.size()];
    Arrays.fill(values, Double.NaN);
    int i = 0;
    for (long start : rows.keySet()) {
      values[i++] = psiAt.applyAsDouble(start);
    }
    series.add(new Report.Series(feature, values));
  }

  /** What the report shows. */
  Report.Timeline result() {
    if (column == null) {
      return Report.Timeline.none(note);
    }
    List<Instant> starts = rows.keySet().stream().map(us -> Instant.EPOCH.plus(us, ChronoUnit.MICROS)).toList();
    return new Report.Timeline(column, Durations.format(width), starts, rows.values().stream().mapToLong(Long::longValue).toArray(),
        series, note);
  }

  private static long micros(Duration d) {
    return d.toNanos() / 1000;
  }
}
