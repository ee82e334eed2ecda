package dev.quiver.bench.derived;

import dev.quiver.core.derived.DerivedFeatures;
import dev.quiver.core.derived.DerivedPlan;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The evaluator's cost per online request for a service with 10 derived features (5 on a view,
 * 5 on an on-demand view with 2 request fields) over 6 column features: the plan lookup a request
 * makes ({@link DerivedFeatures#plan}, cached per feature list) and evaluating every entity row,
 * exactly what {@code OnlineReader} does after the store read. {@code entities} is the request's
 * row count (1 and 100, as the serving targets).
 *
 * <p>Run: {@code java -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*'
 * org.openjdk.jmh.Main DerivedEvaluationBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DerivedEvaluationBenchmark {
  @Param({"1", "100"})
  int entities;

  private DerivedFeatures derived;
  private List<FeatureResolver.Resolved> resolved;
  private Object[][] inputs;

  @Setup
  public void setup() {
    Definitions defs = definitions();
    derived = DerivedFeatures.of(defs);
    List<FeatureRef> refs = List.of("user_txn:amount_x", "user_txn:amount_ln", "user_txn:domestic", "user_txn:label",
        "user_txn:seen_hour", "risk:ratio", "risk:flag", "risk:channel_or_country", "risk:per_visit", "risk:band",
        "user_txn:amount").stream().map(FeatureRef::of).toList();
    resolved = FeatureResolver.resolve(defs, refs);
    DerivedPlan plan = derived.plan(resolved);
    SplittableRandom random = new SplittableRandom(7);
    inputs = new Object[entities][];
    for (int i = 0; i < entities; i++) {
      Object[] row = plan.newRow();
      for (int b = 0; b < plan.baseFeatures().size(); b++) {
        row[b] = switch (plan.baseFeatures().get(b).feature()) {
          case "amount" -> random.nextDouble(0, 200);
          case "country" -> List.of("US", "FR", "DE").get(random.nextInt(3));
          case "visits" -> (long) random.nextInt(20);
          case "seen_at" -> Instant.ofEpochSecond(1_700_000_000L + random.nextInt(10_000_000));
          default -> throw new IllegalStateException(plan.baseFeatures().get(b).toString());
        };
      }
      for (int r = 0; r < plan.requestFields().size(); r++) {
        row[plan.requestOffset() + r] = switch (plan.requestFields().get(r).field().name()) {
          case "txn_amount" -> random.nextDouble(0, 300);
          case "channel" -> List.of("web", "app", "pos").get(random.nextInt(3));
          default -> throw new IllegalStateException();
        };
      }
      inputs[i] = row;
    }
  }

  /** One request: the cached plan, then every row's derived features into a fresh row array. */
  @Benchmark
  public void request(Blackhole bh) {
    DerivedPlan plan = derived.plan(resolved);
    int base = plan.requestOffset() + plan.requestFields().size();
    for (Object[] in : inputs) {
      Object[] row = plan.newRow();
      System.arraycopy(in, 0, row, 0, base);
      plan.evaluate(row);
      bh.consume(row);
    }
  }

  static Definitions definitions() {
    ViewBuilder view = ViewBuilder.named("user_txn").entities("user").source("txns")
        .feature(new ColumnFeature("amount", "amount", ScalarType.FLOAT64, ""))
        .feature(new ColumnFeature("country", "country", ScalarType.STRING, ""))
        .feature(new ColumnFeature("visits", "visits", ScalarType.INT64, ""))
        .feature(new ColumnFeature("seen_at", "seen_at", ScalarType.TIMESTAMP, ""))
        .feature(new DerivedFeature("amount_x", "amount * 1.5 + 1", ScalarType.FLOAT64, ""))
        .feature(new DerivedFeature("amount_ln", "round(ln(amount), 3)", ScalarType.FLOAT64, ""))
        .feature(new DerivedFeature("domestic", "country = 'US'", ScalarType.BOOL, ""))
        .feature(new DerivedFeature("label",
            "case when amount > 50 then concat(upper(country), '-big') else lower(coalesce(country, 'none')) end", ScalarType.STRING, ""))
        .feature(new DerivedFeature("seen_hour", "hour(seen_at) + 100 * day_of_week(seen_at)", ScalarType.INT64, ""));
    OnDemandView risk = new OnDemandView("risk", 1, List.of("user_txn"),
        List.of(new RequestField("txn_amount", ScalarType.FLOAT64), new RequestField("channel", ScalarType.STRING)),
        List.of(new DerivedFeature("ratio", "request.txn_amount / nullif(user_txn.amount, 0)", ScalarType.FLOAT64, ""),
            new DerivedFeature("flag", "ratio > 2 or request.channel = 'web'", ScalarType.BOOL, ""),
            new DerivedFeature("channel_or_country", "coalesce(request.channel, user_txn.label, '?')", ScalarType.STRING, ""),
            new DerivedFeature("per_visit", "request.txn_amount / nullif(cast(user_txn.visits as float64), 0)", ScalarType.FLOAT64, ""),
            new DerivedFeature("band", "case when ratio >= 2 then 'high' when ratio >= 1 then 'mid' else 'low' end", ScalarType.STRING, "")),
        Metadata.EMPTY);
    return Definitions.builder("bench").entity("user", "user_id", ScalarType.INT64).view(view).onDemandView(risk).build();
  }
}
