package dev.quiver.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.grpc.feast.types.Value;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one Java ↔ Feast value mapping the server and the client share. */
class FeastValuesTest {
  @Test
  void everyTypeRoundTrips() {
    List<Object> values = List.of(7, 7L, 1.5f, 2.25, true, "x", Instant.ofEpochSecond(1_700_000_000L),
        List.of(1, 2), List.of(1L), List.of(0.5f), List.of(1.5), List.of(false, true), List.of("a", "b"),
        List.of(Instant.EPOCH));
    for (Object v : values) {
      assertThat(FeastValues.toJava(FeastValues.fromJava(v))).as(String.valueOf(v)).isEqualTo(v);
    }
    assertThat((byte[]) FeastValues.toJava(FeastValues.fromJava(new byte[] {0, -1}))).containsExactly(0, -1);
    assertThat(FeastValues.fromJava(null)).isEqualTo(Value.getDefaultInstance());
    assertThat(FeastValues.toJava(Value.getDefaultInstance())).isNull();
  }

  @Test
  void wireMembersAreFeasts() {
    assertThat(FeastValues.fromJava(7L).getValCase()).isEqualTo(Value.ValCase.INT64_VAL);
    assertThat(FeastValues.fromJava(7).getValCase()).isEqualTo(Value.ValCase.INT32_VAL);
    assertThat(FeastValues.fromJava(Instant.parse("2026-01-01T00:00:01.999Z")).getUnixTimestampVal())
        .as("Feast counts whole seconds").isEqualTo(Instant.parse("2026-01-01T00:00:01Z").getEpochSecond());
    assertThat(FeastValues.fromJava(List.of()).getValCase()).isEqualTo(Value.ValCase.STRING_LIST_VAL);
  }

  @Test
  void refusesWhatFeastCannotCarry() {
    assertThatThrownBy(() -> FeastValues.fromJava(Arrays.asList("a", null))).hasMessageContaining("null elements");
    assertThatThrownBy(() -> FeastValues.fromJava(List.of("a", 1L))).hasMessageContaining("mixes");
    assertThatThrownBy(() -> FeastValues.fromJava(new Object())).hasMessageContaining("no Feast value type");
    assertThatThrownBy(() -> FeastValues.toJava(Value.newBuilder().setUnixTimestampVal(Long.MAX_VALUE).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
  }
}
