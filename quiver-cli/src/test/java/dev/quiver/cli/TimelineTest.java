package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.quiver.core.monitor.CategoryBins;
import dev.quiver.core.monitor.DriftStatistics;
import dev.quiver.core.monitor.report.Report;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drift over time, whose rows DuckDB groups by bucket and bin, against a plain reference on
 * randomized data: every row read into Java, bucketed by floor division, binned with {@link
 * DriftStatistics#histogram} and {@link DriftStatistics#categoryBins}.
 */
class TimelineTest {
  @TempDir Path tmp;

  @RepeatedTest(4)
  void psiPerBucketEqualsAPlainComputation() throws Exception {
    long seed = new Random().nextLong();
    Random r = new Random(seed);
    Path file = tmp.resolve("current.parquet");
    long hour = 3_600_000_000L;
    long start = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli() * 1000 + r.nextInt(1000) * hour;
    int rows = 500 + r.nextInt(3000);
    String values;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("CREATE TABLE t (ts TIMESTAMPTZ, x DOUBLE, s VARCHAR)");
      StringBuilder insert = new StringBuilder("INSERT INTO t VALUES ");
      for (int i = 0; i < rows; i++) {
        long ts = start + (long) (r.nextDouble() * 10 * 24) * hour + r.nextInt(3_600_000) * 1000L;
        String t = r.nextInt(40) == 0 ? "NULL" : "make_timestamptz(" + ts + ")";
        // values at the edges of bins too: whole numbers repeat
        String x = r.nextInt(25) == 0 ? "NULL" : r.nextInt(50) == 0 ? "'NaN'::DOUBLE"
            : Double.toString(r.nextInt(3) == 0 ? r.nextInt(10) : r.nextGaussian() * 3 + (ts > start + 100 * hour ? 2 : 0));
        String cat = r.nextInt(20) == 0 ? "NULL" : "'" + (char) ('a' + Math.min(r.nextInt(8), r.nextInt(8))) + "'";
        insert.append(i == 0 ? "" : ", ").append('(').append(t).append(", ").append(x).append(", ").append(cat).append(')');
      }
      s.execute(insert.toString());
      s.execute("COPY t TO '" + file + "' (FORMAT parquet)");
    }
    double[] baseline = new double[300 + r.nextInt(500)];
    for (int i = 0; i < baseline.length; i++) {
      baseline[i] = r.nextInt(3) == 0 ? r.nextInt(10) : r.nextGaussian() * 3;
    }
    Map<String, Long> baseCounts = Map.of("a", 40L + r.nextInt(10), "b", 30L, "c", 20L, "d", 5L, "z", 3L);
    DriftOptions options = new DriftOptions();
    options.bins = 2 + r.nextInt(12);
    options.topK = 1 + r.nextInt(4);
    Duration width = Duration.ofHours(1 + r.nextInt(30));

    Report.Timeline got;
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duckdb.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      DriftInput cur = DriftInput.path(file, duckdb);
      Timeline t = Timeline.of(cur, "ts", width, options);
      t.numeric("x", new DriftInput.Numbers(baseline, 0));
      t.categorical("s", new DriftInput.Counts(baseCounts, 0));
      got = t.result();
    }

    // the reference
    long w = width.toNanos() / 1000;
    TreeMap<Long, long[]> hist = new TreeMap<>();
    TreeMap<Long, Map<String, Long>> cats = new TreeMap<>();
    TreeMap<Long, Long> rowCount = new TreeMap<>();
    double[] edges = DriftStatistics.quantileEdges(baseline, options.bins);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT epoch_us(ts), x, s FROM '" + file + "'")) {
      while (rs.next()) {
        long ts = rs.getLong(1);
        if (rs.wasNull()) {
          continue;
        }
        long b = Math.floorDiv(ts, w) * w;
        rowCount.merge(b, 1L, Long::sum);
        double x = rs.getDouble(2);
        if (!rs.wasNull() && !Double.isNaN(x)) {
          long[] h = hist.computeIfAbsent(b, k -> new long[edges.length + 1]);
          long[] one = DriftStatistics.histogram(new double[] {x}, edges);
          for (int i = 0; i < h.length; i++) {
            h[i] += one[i];
          }
        }
        String cat = rs.getString(3);
        if (cat != null) {
          cats.computeIfAbsent(b, k -> new HashMap<>()).merge(cat, 1L, Long::sum);
        }
      }
    }
    String why = "seed " + seed + ", bins " + options.bins + ", top " + options.topK + ", width " + width;
    assertThat(got.starts()).as(why).containsExactlyElementsOf(rowCount.keySet().stream().map(us -> Instant.EPOCH.plus(us, ChronoUnit.MICROS)).toList());
    assertThat(got.rows()).as(why).containsExactly(rowCount.values().stream().mapToLong(Long::longValue).toArray());
    assertThat(got.bucket()).isEqualTo(dev.quiver.core.model.Durations.format(width));
    assertThat(got.series()).extracting(Report.Series::name).containsExactly("x", "s");
    long[] base = DriftStatistics.histogram(baseline, edges);
    List<Long> starts = List.copyOf(rowCount.keySet());
    for (int i = 0; i < starts.size(); i++) {
      long[] h = hist.get(starts.get(i));
      double expectX = h == null ? Double.NaN : DriftStatistics.psi(base, h);
      Map<String, Long> cc = cats.get(starts.get(i));
      CategoryBins bins = cc == null ? null : DriftStatistics.categoryBins(baseCounts, cc, options.topK);
      double expectS = bins == null ? Double.NaN : DriftStatistics.psi(bins.baseline(), bins.current());
      assertBucket(got.series().get(0).values()[i], expectX, why + " x bucket " + i);
      assertBucket(got.series().get(1).values()[i], expectS, why + " s bucket " + i);
    }
  }

  private static void assertBucket(double got, double expected, String why) {
    if (Double.isNaN(expected)) {
      assertThat(got).as(why).isNaN();
    } else {
      assertThat(got).as(why).isCloseTo(expected, within(1e-12));
    }
  }
}
