package dev.quiver.core.monitor.report;

import dev.quiver.core.monitor.DriftThresholds;
import dev.quiver.core.monitor.FeatureDrift;
import dev.quiver.core.quality.RuleResult;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a monitoring report shows: the drift of each feature between a baseline and a current
 * dataset with their histograms, drift per time bucket of the current side, skew results over time,
 * freshness per view and validation results. {@link ReportHtml} writes it as one HTML page.
 *
 * @param title the page's title
 * @param generatedAt when the report was made; freshness ages are measured from it
 * @param baseline the baseline dataset
 * @param current the current dataset
 * @param thresholds the thresholds the verdicts were judged by
 * @param features each feature's drift and histogram, in the order compared
 * @param timeline PSI per time bucket of the current side
 * @param skew served-versus-offline mismatch rates recorded over time (empty until skew results are kept)
 * @param freshness each view's newest event time online and its materialization watermark
 * @param validation validation rule results from the registry store, oldest first
 */
public record Report(String title, Instant generatedAt, Side baseline, Side current, DriftThresholds thresholds,
    List<Feature> features, Timeline timeline, Section<SkewPoint> skew, Section<ViewFreshness> freshness,
    Section<RuleResult> validation) {
  public Report {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(generatedAt, "generatedAt");
    Objects.requireNonNull(baseline, "baseline");
    Objects.requireNonNull(current, "current");
    Objects.requireNonNull(thresholds, "thresholds");
    features = List.copyOf(features);
    Objects.requireNonNull(timeline, "timeline");
    Objects.requireNonNull(skew, "skew");
    Objects.requireNonNull(freshness, "freshness");
    Objects.requireNonNull(validation, "validation");
  }

  /**
   * One side of the comparison.
   *
   * @param label what was read ({@code dataset 'half0' (out/half0.parquet)} or a path)
   * @param rows its row count
   */
  public record Side(String label, long rows) {
    public Side {
      Objects.requireNonNull(label, "label");
    }
  }

  /**
   * One feature.
   *
   * @param drift its statistics and verdicts
   * @param histogram its values on both sides; null when it was not compared
   */
  public record Feature(FeatureDrift drift, Histogram histogram) {
    public Feature {
      Objects.requireNonNull(drift, "drift");
    }
  }

  /**
   * Rows of a section, or why there are none.
   *
   * @param rows the rows, possibly empty
   * @param note shown above the rows, or instead of them when empty (why: no repo, nothing recorded); may be empty
   */
  public record Section<T>(List<T> rows, String note) {
    public Section {
      rows = List.copyOf(rows);
      note = Objects.requireNonNullElse(note, "");
    }

    /** A section without rows, saying why. */
    public static <T> Section<T> empty(String why) {
      return new Section<>(List.of(), why);
    }
  }

  /**
   * Drift per time bucket of the current side, each bucket against the whole baseline.
   *
   * @param timeColumn the current side's time column ({@code event_timestamp}, {@code served_at})
   * @param bucket the bucket width as written ({@code 1h}, {@code 1d}, {@code 7d})
   * @param starts each bucket's start, ascending
   * @param rows the current side's rows per bucket
   * @param series one PSI series per compared feature (NaN where a bucket has no values)
   * @param note why there are no buckets, or a remark; may be empty
   */
  public record Timeline(String timeColumn, String bucket, List<Instant> starts, long[] rows, List<Series> series, String note) {
    public Timeline {
      starts = List.copyOf(starts);
      rows = rows.clone();
      series = List.copyOf(series);
      note = Objects.requireNonNullElse(note, "");
      for (Series s : series) {
        if (s.values().length != starts.size()) {
          throw new IllegalArgumentException("series " + s.name() + " has " + s.values().length + " values for " + starts.size() + " buckets");
        }
      }
    }

    /** No timeline, and why. */
    public static Timeline none(String why) {
      return new Timeline("", "", List.of(), new long[0], List.of(), why);
    }
  }

  /**
   * A named series of values, one per bucket.
   *
   * @param name the feature
   * @param values one value per bucket, NaN for none
   */
  public record Series(String name, double[] values) {
    public Series {
      Objects.requireNonNull(name, "name");
      values = values.clone();
    }
  }

  /**
   * One recorded skew result: a feature's served values compared with the values recomputed offline.
   *
   * @param time when the run compared them
   * @param service the feature service
   * @param feature the feature
   * @param compared rows compared
   * @param mismatches rows whose values differ
   */
  public record SkewPoint(Instant time, String service, String feature, long compared, long mismatches) {
    public SkewPoint {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(feature, "feature");
    }

    /** mismatches / compared; NaN when nothing was compared. */
    public double rate() {
      return compared == 0 ? Double.NaN : (double) mismatches / compared;
    }
  }

  /**
   * How fresh a view version's online data is.
   *
   * @param view {@code name@vN}
   * @param newestEvent the newest event time written online (materialization, pushes); null when none is recorded
   * @param watermark the end of its last completed materialization; null when never materialized
   * @param materializedAt when that materialization completed; null when never materialized
   */
  public record ViewFreshness(String view, Instant newestEvent, Instant watermark, Instant materializedAt) {
    public ViewFreshness {
      Objects.requireNonNull(view, "view");
    }
  }
}
