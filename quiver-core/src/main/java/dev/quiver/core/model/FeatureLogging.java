package dev.quiver.core.model;

/**
 * A feature service's feature logging (Feast's {@code logging_config}): the fraction of its requests
 * whose served rows the server writes to its feature log. Sampling is per request, so every entity
 * row of a request is logged or none is. Where the files go and how they roll is the server's
 * configuration ({@code feature_logging} in {@code quiver.yaml}), not the definition's. Immutable.
 *
 * @param sampleRate the fraction of requests logged, in {@code (0, 1]}
 */
public record FeatureLogging(double sampleRate) {
  public FeatureLogging {
    if (!(sampleRate > 0 && sampleRate <= 1)) {
      throw new IllegalArgumentException("sample_rate must be in (0, 1], not " + sampleRate);
    }
  }
}
