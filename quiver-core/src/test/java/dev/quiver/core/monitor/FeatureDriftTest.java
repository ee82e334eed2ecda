package dev.quiver.core.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Drift flags a shifted distribution (a mean shift, a new category) and stays quiet on a resample of
 * the same one, on seeded random samples with thresholds well away from the values seen.
 */
class FeatureDriftTest {
  private static final int N = 5_000;
  /** PSI fails above 0.25 (the default); p-values below 1e-4 fail. */
  private static final DriftThresholds STRICT = new DriftThresholds(0.1, 0.25, 1e-4, 1e-4, 0.05);

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void aResampleOfOneNumericDistributionIsQuiet(long seed) {
    Random r = new Random(seed);
    double[] base = gaussian(r, N, 100, 15);
    double[] cur = gaussian(r, N, 100, 15);
    FeatureDrift d = FeatureDrift.numeric("amount", base, 50, cur, 50, 10, STRICT);
    assertThat(d.kind()).isEqualTo(FeatureDrift.Kind.NUMERIC);
    assertThat(value(d, "psi")).as("seed %d: %s", seed, d).isLessThan(0.05);
    assertThat(value(d, "ks_p")).as("seed %d: %s", seed, d).isGreaterThan(1e-3);
    assertThat(d.verdict()).as("seed %d: %s", seed, d).isEqualTo(Verdict.OK);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void aMeanShiftOfOneStandardDeviationIsDrift(long seed) {
    Random r = new Random(seed);
    FeatureDrift d = FeatureDrift.numeric("amount", gaussian(r, N, 100, 15), 0, gaussian(r, N, 115, 15), 0, 10, STRICT);
    assertThat(value(d, "psi")).as("seed %d: %s", seed, d).isGreaterThan(0.5);
    assertThat(value(d, "ks")).as("seed %d: %s", seed, d).isGreaterThan(0.3);
    assertThat(value(d, "ks_p")).as("seed %d: %s", seed, d).isLessThan(1e-10);
    assertThat(verdict(d, "psi")).isEqualTo(Verdict.DRIFT);
    assertThat(d.verdict()).isEqualTo(Verdict.DRIFT);
  }

  @Test
  void aSmallShiftWarnsBetweenTheBands() {
    Random r = new Random(42);
    // 0.4 standard deviations: PSI about 0.16, between 0.1 and 0.25
    FeatureDrift d = FeatureDrift.numeric("amount", gaussian(r, 20_000, 0, 1), 0, gaussian(r, 20_000, 0.4, 1), 0,
        10, DriftThresholds.DEFAULTS);
    assertThat(value(d, "psi")).isBetween(0.12, 0.22);
    assertThat(d.verdict()).isEqualTo(Verdict.WARN);
    assertThat(verdict(d, "ks_p")).isEqualTo(Verdict.INFO); // no --ks-fail: reported only
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
  void aResampleOfOneCategoricalDistributionIsQuietAndANewCategoryIsDrift(long seed) {
    Random r = new Random(seed);
    String[] cats = {"low", "mid", "high", "vip"};
    double[] weights = {0.5, 0.3, 0.15, 0.05};
    Map<String, Long> base = categories(r, N, cats, weights, null, 0);
    Map<String, Long> same = categories(r, N, cats, weights, null, 0);
    FeatureDrift quiet = FeatureDrift.categorical("segment", base, 0, same, 0, 20, STRICT);
    assertThat(value(quiet, "psi")).as("seed %d: %s", seed, quiet).isLessThan(0.02);
    assertThat(value(quiet, "chi2_p")).as("seed %d: %s", seed, quiet).isGreaterThan(1e-3);
    assertThat(quiet.verdict()).isEqualTo(Verdict.OK);
    assertThat(quiet.note()).isEmpty();

    Map<String, Long> withNew = categories(r, N, cats, weights, "fraud_ring", 0.08);
    FeatureDrift drift = FeatureDrift.categorical("segment", base, 0, withNew, 0, 20, STRICT);
    assertThat(value(drift, "psi")).as("seed %d: %s", seed, drift).isGreaterThan(0.4);
    assertThat(value(drift, "chi2_p")).as("seed %d: %s", seed, drift).isLessThan(1e-10);
    assertThat(drift.verdict()).isEqualTo(Verdict.DRIFT);
    assertThat(drift.note()).isEqualTo("new categories: fraud_ring");
  }

  @Test
  void nullRateChangesAreMeasuredAndJudged() {
    Random r = new Random(3);
    double[] base = gaussian(r, 900, 0, 1);
    double[] cur = gaussian(r, 700, 0, 1);
    FeatureDrift d = FeatureDrift.numeric("x", base, 100, cur, 300, 10, STRICT);
    assertThat(d.baselineNullRate()).isEqualTo(0.1);
    assertThat(d.currentNullRate()).isEqualTo(0.3);
    assertThat(value(d, "null_rate_change")).isCloseTo(0.2, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(verdict(d, "null_rate_change")).isEqualTo(Verdict.DRIFT);
    FeatureDrift allNull = FeatureDrift.numeric("x", base, 100, new double[0], 50, 10, STRICT);
    assertThat(allNull.kind()).isEqualTo(FeatureDrift.Kind.NOT_COMPARED);
    assertThat(allNull.note()).isEqualTo("no non-null values on the current side");
    assertThat(allNull.verdict()).isEqualTo(Verdict.DRIFT); // 0.1 -> 1.0 null rate
  }

  @Test
  void thresholdsOutOfRangeAreRefusedByName() {
    assertThatThrownBy(() -> new DriftThresholds(0.3, 0.2, Double.NaN, Double.NaN, Double.NaN))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("--psi-warn 0.3 is above --psi-fail 0.2");
    assertThatThrownBy(() -> new DriftThresholds(0.1, 0.2, 1.5, Double.NaN, Double.NaN))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("--ks-fail is a p-value");
  }

  private static double value(FeatureDrift d, String statistic) {
    return d.measures().stream().filter(m -> m.statistic().equals(statistic)).findFirst().orElseThrow().value();
  }

  private static Verdict verdict(FeatureDrift d, String statistic) {
    return d.measures().stream().filter(m -> m.statistic().equals(statistic)).findFirst().orElseThrow().verdict();
  }

  private static double[] gaussian(Random r, int n, double mean, double sd) {
    return r.doubles(n).map(x -> mean + sd * r.nextGaussian()).toArray();
  }

  private static Map<String, Long> categories(Random r, int n, String[] cats, double[] weights, String extra, double extraShare) {
    Map<String, Long> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String c;
      if (extra != null && r.nextDouble() < extraShare) {
        c = extra;
      } else {
        double u = r.nextDouble();
        int k = 0;
        while (k < cats.length - 1 && u >= weights[k]) {
          u -= weights[k++];
        }
        c = cats[k];
      }
      counts.merge(c, 1L, Long::sum);
    }
    return counts;
  }
}
