package dev.quiver.core.monitor;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * What {@link SkewCheck} compares: the logged rows of one feature service served in {@code [since,
 * until)}.
 *
 * @param service the feature service whose logs are read ({@code <logs>/<service>/date=.../*.parquet})
 * @param since the first served time compared (inclusive); null for no lower bound
 * @param until the end of the served times compared (exclusive); null for no upper bound
 * @param logs the feature-log directory (the one holding a folder per service)
 * @param sample compare at most this many logged rows, a uniform random sample when there are more
 * @param seed the sample's seed (the same logs and seed give the same sample)
 */
public record SkewRequest(String service, Instant since, Instant until, Path logs, int sample, long seed) {
  /** The default for {@link #sample}: memory holds the sampled rows while they are compared. */
  public static final int DEFAULT_SAMPLE = 100_000;

  public SkewRequest {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(logs, "logs");
    if (sample < 1) {
      throw new IllegalArgumentException("the sample must be at least 1 row, not " + sample);
    }
    if (since != null && until != null && !since.isBefore(until)) {
      throw new IllegalArgumentException("the time range is empty: since " + since + " is not before until " + until);
    }
  }
}
