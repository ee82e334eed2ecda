package dev.quiver.core.monitor;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The result of one {@link SkewCheck}: per served feature, how often the served value differed from
 * the offline recomputation at the time it was served.
 *
 * @param service the feature service
 * @param since the range's start as requested (null: none)
 * @param until the range's end as requested (null: none)
 * @param files log files read
 * @param rowsLogged logged rows of the service in the range
 * @param rowsCompared rows compared (all of them, or the sample)
 * @param serviceVersions the service versions the compared rows name, ascending
 * @param features one entry per logged feature, in the order the service lists them
 * @param notes what was left out and why (a service version the registry no longer has, a feature
 *     the log lacks)
 */
public record SkewReport(String service, Instant since, Instant until, int files, long rowsLogged, long rowsCompared,
    List<Integer> serviceVersions, List<FeatureSkew> features, List<String> notes) {
  public SkewReport {
    Objects.requireNonNull(service, "service");
    serviceVersions = List.copyOf(serviceVersions);
    features = List.copyOf(features);
    notes = List.copyOf(notes);
  }

  /** The features whose mismatch rate is above {@code rate}, in report order. */
  public List<FeatureSkew> above(double rate) {
    return features.stream().filter(f -> f.mismatchRate() > rate).toList();
  }

  /** One stored result per feature, as {@link SkewLog} keeps them. */
  public List<SkewResult> results(Instant time) {
    return features.stream().map(f -> new SkewResult(time, service, f.feature(), since, until, f.rowsCompared(),
        f.mismatches(), f.examples().stream().map(SkewExample::describe).toList())).toList();
  }
}
