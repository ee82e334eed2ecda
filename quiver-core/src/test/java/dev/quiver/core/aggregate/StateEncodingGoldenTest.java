package dev.quiver.core.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.model.AggregateFunction;
import dev.quiver.core.model.Aggregation;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.Window;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Locks the aggregation state format (docs/aggregation-encoding.md): fixed states must encode to the
 * golden bytes and decode back to the same result, so a format change is a deliberate, versioned act
 * (-Dquiver.golden.update=true rewrites the file).
 */
class StateEncodingGoldenTest {
  private static final Path GOLDEN = Path.of("src/test/resources/aggregate/state-golden-v1.txt");
  private static final Instant T = Instant.parse("2026-03-01T12:34:56.789012Z");

  private record Example(String name, Aggregator aggregator, AggregateState state) {}

  private static Example example(String name, AggregateFunction fn, ValueType input, Object... values) {
    Aggregation a = Aggregation.of(fn, input == null ? null : "x", Window.lifetime())
        .withK(fn == AggregateFunction.LAST_K ? 2 : 0).withPercentile(fn == AggregateFunction.APPROX_PERCENTILE ? 0.5 : 0);
    Aggregator agg = Aggregator.of(a, input);
    AggregateState s = agg.newState();
    long event = 1_000_000;
    for (Object v : values) {
      agg.add(s, v, event, event % 3 == 0 ? Long.MIN_VALUE : event + 7);
      event += 1_000_000;
    }
    return new Example(name, agg, s);
  }

  static List<Example> examples() {
    List<Example> out = new ArrayList<>();
    out.add(example("count rows", AggregateFunction.COUNT, null, 1, 2, 3));
    out.add(example("count empty", AggregateFunction.COUNT, ScalarType.STRING));
    out.add(example("sum int64", AggregateFunction.SUM, ScalarType.INT64, 5L, -7L, 1L << 40));
    out.add(example("avg int32", AggregateFunction.AVG, ScalarType.INT32, 1, 2, null, 4));
    out.add(example("sum float64", AggregateFunction.SUM, ScalarType.FLOAT64, 1e16, 1.0, -1e16, 0.1));
    out.add(example("sum float64 specials", AggregateFunction.SUM, ScalarType.FLOAT64, Double.NaN, Double.POSITIVE_INFINITY, 2.0));
    out.add(example("variance float32", AggregateFunction.VARIANCE, ScalarType.FLOAT32, 1.5f, 2.5f, -3f));
    out.add(example("stddev int64", AggregateFunction.STDDEV, ScalarType.INT64, 3L, 5L));
    out.add(example("min string", AggregateFunction.MIN, ScalarType.STRING, "b", "a", "zürich"));
    out.add(example("max timestamp", AggregateFunction.MAX, ScalarType.TIMESTAMP, T, T.minusSeconds(1)));
    out.add(example("first bool", AggregateFunction.FIRST, ScalarType.BOOL, null, true, false));
    out.add(example("last list<float32>", AggregateFunction.LAST, new ListType(ScalarType.FLOAT32),
        java.util.Arrays.asList(0.5f, null), List.of(-1f)));
    out.add(example("last_k bytes k=2", AggregateFunction.LAST_K, ScalarType.BYTES,
        new byte[] {1}, new byte[] {2, 3}, new byte[] {(byte) 255}));
    out.add(example("count_distinct int64", AggregateFunction.COUNT_DISTINCT, ScalarType.INT64, 3L, 1L, 3L, -2L));
    out.add(example("approx_count_distinct string", AggregateFunction.APPROX_COUNT_DISTINCT, ScalarType.STRING, "a", "b", "a"));
    out.add(example("approx_percentile float64 p=0.5", AggregateFunction.APPROX_PERCENTILE, ScalarType.FLOAT64,
        0.0, 1.0, 1.01, -5.0, Double.NaN, 100.0));
    return out;
  }

  @Test
  void bytesMatchTheGoldenFile() throws IOException {
    StringBuilder actual = new StringBuilder();
    for (Example e : examples()) {
      actual.append(e.name()).append(": ").append(HexFormat.of().formatHex(e.aggregator().encode(e.state())))
          .append(" -> ").append(show(e.aggregator().finish(e.state()))).append('\n');
    }
    if (Boolean.getBoolean("quiver.golden.update")) {
      Files.writeString(GOLDEN, actual);
    }
    assertThat(actual.toString()).isEqualTo(Files.readString(GOLDEN, StandardCharsets.UTF_8));
  }

  @Test
  void goldenBytesDecodeToTheSameResults() throws IOException {
    List<String> lines = Files.readAllLines(GOLDEN, StandardCharsets.UTF_8);
    List<Example> examples = examples();
    assertThat(lines).hasSize(examples.size());
    for (int i = 0; i < lines.size(); i++) {
      String hex = lines.get(i).substring(lines.get(i).indexOf(": ") + 2, lines.get(i).indexOf(" -> "));
      Aggregator agg = examples.get(i).aggregator();
      AggregateState decoded = agg.decode(HexFormat.of().parseHex(hex));
      assertThat(show(agg.finish(decoded))).as(lines.get(i)).isEqualTo(show(agg.finish(examples.get(i).state())));
    }
  }

  @Test
  void otherVersionsFunctionsAndTruncatedBytesAreRefused() {
    Example e = examples().get(2);
    byte[] good = e.aggregator().encode(e.state());
    byte[] otherVersion = good.clone();
    otherVersion[0] = 2;
    assertThatThrownBy(() -> e.aggregator().decode(otherVersion)).isInstanceOf(QuiverException.class)
        .hasMessageContaining("format version 2");
    assertThatThrownBy(() -> examples().get(0).aggregator().decode(good)).isInstanceOf(QuiverException.class)
        .hasMessageContaining("not count");
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
    assertThatThrownBy(() -> e.aggregator().decode(truncated)).isInstanceOf(QuiverException.class)
        .hasMessageContaining("corrupt");
  }

  private static String show(Object v) {
    if (v instanceof List<?> l) {
      List<String> items = new ArrayList<>();
      l.forEach(x -> items.add(show(x)));
      return items.toString();
    }
    return v instanceof byte[] b ? "0x" + HexFormat.of().formatHex(b) : String.valueOf(v);
  }
}
