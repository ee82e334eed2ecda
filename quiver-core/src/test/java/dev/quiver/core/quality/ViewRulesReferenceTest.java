package dev.quiver.core.quality;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.OnFail;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValidationRule;
import dev.quiver.core.model.ViewBuilder;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checking kernel against a plain reference on randomized rows and rules: per rule the failing
 * count and outcome, and per row whether it is kept.
 */
class ViewRulesReferenceTest {
  private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");

  @org.junit.jupiter.api.Test
  void cachedCompilesOncePerViewObject() {
    FeatureView view = ViewBuilder.named("v").entities("user").source("s")
        .feature(new ColumnFeature("c", "c", ScalarType.STRING, ""))
        .build().withRules(List.of(new ValidationRule.Pattern("c", "[A-Z]+", OnFail.SKIP_ROW)));
    FeatureView equalCopy = ViewBuilder.named("v").entities("user").source("s")
        .feature(new ColumnFeature("c", "c", ScalarType.STRING, ""))
        .build().withRules(List.of(new ValidationRule.Pattern("c", "[A-Z]+", OnFail.SKIP_ROW)));

    assertThat(ViewRules.cached(view)).isSameAs(ViewRules.cached(view)).isNotSameAs(ViewRules.of(view));
    // by identity: another decoded version of an equal view is compiled for itself
    assertThat(ViewRules.cached(equalCopy)).isNotSameAs(ViewRules.cached(view));
    assertThat(ViewRules.cached(equalCopy).view()).isSameAs(equalCopy);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void kernelEqualsTheReference(long seed) {
    Random rnd = new Random(seed);
    List<ValidationRule> rules = randomRules(rnd);
    FeatureView view = ViewBuilder.named("v").entities("user").source("s")
        .feature(new ColumnFeature("n", "n", ScalarType.INT64, ""))
        .feature(new ColumnFeature("x", "x", ScalarType.FLOAT64, ""))
        .feature(new ColumnFeature("c", "c", ScalarType.STRING, ""))
        .feature(new ColumnFeature("i", "i", ScalarType.INT32, ""))
        .build().withRules(rules);
    int rows = 1 + rnd.nextInt(400);
    List<Object[]> data = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      data.add(new Object[] {"key", maybeNull(rnd, (long) rnd.nextInt(41) - 20 + (rnd.nextInt(50) == 0 ? Long.MAX_VALUE / 2 : 0)),
          maybeNull(rnd, rnd.nextInt(30) == 0 ? Double.NaN : (rnd.nextInt(400) - 200) / 8.0),
          maybeNull(rnd, List.of("US", "FR", "de", "XYZ", "").get(rnd.nextInt(5))), maybeNull(rnd, rnd.nextInt(7) - 3)});
    }
    // even seeds go through the identity cache the push path uses: it must answer the same
    ViewRules kernel = seed % 2 == 0 ? ViewRules.cached(view) : ViewRules.of(view);
    ViewRules.Run run = kernel.start("materialize", c -> switch (c.name()) {
      case "n" -> 1;
      case "x" -> 2;
      case "c" -> 3;
      default -> 4;
    }, true);
    List<Boolean> kept = new ArrayList<>();
    for (Object[] row : data) {
      kept.add(run.admit(row));
    }
    Instant newest = NOW.minus(Duration.ofMinutes(rnd.nextInt(240)));
    List<RuleResult> results = run.finish(newest, NOW, rows * 3L);

    // the reference
    List<Boolean> expectedKept = new ArrayList<>();
    long[] failures = new long[rules.size()];
    for (Object[] row : data) {
      boolean keep = true;
      for (int i = 0; i < rules.size(); i++) {
        Boolean pass = referencePasses(rules.get(i), row);
        if (pass != null && !pass) {
          failures[i]++;
          keep &= rules.get(i).onFail() != OnFail.SKIP_ROW;
        }
      }
      expectedKept.add(keep);
    }
    assertThat(kept).as("seed %d, rules %s", seed, rules).isEqualTo(expectedKept);
    assertThat(results).hasSize(rules.size());
    for (int i = 0; i < rules.size(); i++) {
      ValidationRule rule = rules.get(i);
      RuleResult got = results.get(i);
      boolean failed;
      long bad;
      switch (rule) {
        case ValidationRule.NotNull n when n.maxNullRate() != null -> {
          bad = data.stream().filter(row -> row[slot(n.feature())] == null).count();
          failed = (double) bad / rows > n.maxNullRate();
        }
        case ValidationRule.RowCount c -> {
          long count = rows * 3L;
          failed = (c.min() != null && count < c.min()) || (c.max() != null && count > c.max());
          bad = failed ? 1 : 0;
        }
        case ValidationRule.Freshness f -> {
          failed = newest.isBefore(NOW.minus(f.maxAge()));
          bad = failed ? 1 : 0;
        }
        default -> {
          bad = failures[i];
          failed = bad > 0;
        }
      }
      assertThat(got.rowsFailed()).as("seed %d rule %s", seed, rule).isEqualTo(bad);
      RuleResult.Outcome expected = !failed ? RuleResult.Outcome.PASSED : switch (rule.onFail()) {
        case WARN -> RuleResult.Outcome.WARNED;
        case SKIP_ROW -> RuleResult.Outcome.SKIPPED;
        case FAIL -> RuleResult.Outcome.FAILED;
      };
      assertThat(got.outcome()).as("seed %d rule %s", seed, rule).isEqualTo(expected);
      assertThat(got.samples().size()).isLessThanOrEqualTo(ViewRules.SAMPLES);
      if (failed && rule.perRow()) {
        assertThat(got.samples()).isNotEmpty();
      }
    }
  }

  private static int slot(String feature) {
    return switch (feature) {
      case "n" -> 1;
      case "x" -> 2;
      case "c" -> 3;
      default -> 4;
    };
  }

  /** Whether the row passes a row rule, written plainly; null for rules judged per run. */
  private static Boolean referencePasses(ValidationRule rule, Object[] row) {
    Object v = rule.feature() == null ? null : row[slot(rule.feature())];
    return switch (rule) {
      case ValidationRule.NotNull n -> n.maxNullRate() != null ? null : v != null;
      case ValidationRule.Min m -> v == null || (!isNaN(v) && new BigDecimal(v.toString()).compareTo(m.value()) >= 0);
      case ValidationRule.Max m -> v == null || (!isNaN(v) && new BigDecimal(v.toString()).compareTo(m.value()) <= 0);
      case ValidationRule.Allowed a -> v == null || a.values().stream().anyMatch(s -> sameValue(s, v));
      case ValidationRule.Pattern p -> v == null || Pattern.matches(p.regex(), (String) v);
      case ValidationRule.Expr e -> { // the expressions randomRules writes
        Long n = (Long) row[1];
        Integer i = (Integer) row[4];
        if (e.expression().equals("n > i")) {
          yield n == null || i == null || n > i; // a null result passes
        }
        yield n == null || n >= -5;
      }
      case ValidationRule.RowCount c -> null;
      case ValidationRule.Freshness f -> null;
    };
  }

  private static boolean isNaN(Object v) {
    return v instanceof Double d && d.isNaN();
  }

  private static boolean sameValue(String allowed, Object v) {
    return switch (v) {
      case Long l -> allowed.equals(Long.toString(l));
      case Integer i -> allowed.equals(Integer.toString(i));
      case Double d -> Double.parseDouble(allowed) == d;
      default -> allowed.equals(v);
    };
  }

  private static Object maybeNull(Random rnd, Object v) {
    return rnd.nextInt(10) == 0 ? null : v;
  }

  private static List<ValidationRule> randomRules(Random rnd) {
    List<ValidationRule> out = new ArrayList<>();
    OnFail[] outcomes = OnFail.values();
    int count = 1 + rnd.nextInt(6);
    for (int k = 0; k < count; k++) {
      OnFail f = outcomes[rnd.nextInt(3)];
      String num = List.of("n", "x", "i").get(rnd.nextInt(3));
      out.add(switch (rnd.nextInt(9)) {
        case 0 -> new ValidationRule.NotNull(List.of("n", "x", "c", "i").get(rnd.nextInt(4)), null, f);
        case 1 -> new ValidationRule.NotNull("c", rnd.nextInt(3) * 0.05, f == OnFail.SKIP_ROW ? OnFail.WARN : f);
        case 2 -> new ValidationRule.Min(num, BigDecimal.valueOf(rnd.nextInt(21) - 10, rnd.nextInt(2)), f);
        case 3 -> new ValidationRule.Max(num, BigDecimal.valueOf(rnd.nextInt(21) - 10, rnd.nextInt(2)), f);
        case 4 -> rnd.nextBoolean() ? new ValidationRule.Allowed("c", List.of("US", "FR"), f)
            : new ValidationRule.Allowed("i", List.of("-1", "0", "2"), f);
        case 5 -> new ValidationRule.Pattern("c", "[A-Z]{2}", f);
        case 6 -> new ValidationRule.Expr("n", rnd.nextBoolean() ? "n > i" : "n >= -5", f);
        case 7 -> new ValidationRule.RowCount(rnd.nextBoolean() ? null : (long) rnd.nextInt(600),
            rnd.nextBoolean() ? null : (long) rnd.nextInt(1200), f == OnFail.SKIP_ROW ? OnFail.FAIL : f);
        default -> new ValidationRule.Freshness(Duration.ofMinutes(1 + rnd.nextInt(240)), f == OnFail.SKIP_ROW ? OnFail.WARN : f);
      });
    }
    return out;
  }
}
