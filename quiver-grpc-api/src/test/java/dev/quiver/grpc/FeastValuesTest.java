package dev.quiver.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.quiver.grpc.feast.types.Int64Set;
import dev.quiver.grpc.feast.types.Map;
import dev.quiver.grpc.feast.types.MapKey;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.ScalarMap;
import dev.quiver.grpc.feast.types.ScalarMapEntry;
import dev.quiver.grpc.feast.types.StringList;
import dev.quiver.grpc.feast.types.Value;
import dev.quiver.grpc.feast.types.ZonedTimestamp;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
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
  void readsTheTypesFeastAddedLater() {
    assertThat(FeastValues.toJava(Value.newBuilder().setJsonVal("{\"a\": 1}").build())).isEqualTo("{\"a\": 1}");
    assertThat(FeastValues.toJava(Value.newBuilder().setUuidVal("7f1b5d1e-0000-4000-8000-000000000001").build()))
        .isEqualTo("7f1b5d1e-0000-4000-8000-000000000001");
    assertThat(FeastValues.toJava(Value.newBuilder().setDecimalVal("12.50").build())).isEqualTo(new BigDecimal("12.50"));
    assertThat(FeastValues.toJava(Value.newBuilder().setDecimalListVal(StringList.newBuilder().addVal("1").addVal("2.5"))
        .build())).isEqualTo(List.of(new BigDecimal("1"), new BigDecimal("2.5")));
    assertThat(FeastValues.toJava(Value.newBuilder().setZonedTimestampVal(ZonedTimestamp.newBuilder()
        .setUnixTimestamp(1_700_000_000L).setZone("America/Los_Angeles")).build()))
        .as("the instant, zone dropped").isEqualTo(Instant.ofEpochSecond(1_700_000_000L));
    Object set = FeastValues.toJava(Value.newBuilder().setInt64SetVal(Int64Set.newBuilder().addVal(3).addVal(1)).build());
    assertThat(set).isInstanceOf(Set.class);
    assertThat(List.copyOf((Set<?>) set)).as("wire order").isEqualTo(List.of(3L, 1L));
    assertThat(FeastValues.toJava(Value.newBuilder().setListVal(RepeatedValue.newBuilder()
        .addVal(Value.newBuilder().setInt64Val(1)).addVal(Value.newBuilder().setStringVal("x"))).build()))
        .isEqualTo(List.of(1L, "x"));
    Value map = Value.newBuilder().setMapVal(Map.newBuilder().putVal("n", Value.newBuilder().setInt32Val(2).build())
        .putVal("missing", Value.getDefaultInstance())).build();
    LinkedHashMap<String, Object> expected = new LinkedHashMap<>();
    expected.put("n", 2);
    expected.put("missing", null);
    assertThat(FeastValues.toJava(map)).isEqualTo(expected);
    assertThat(FeastValues.toJava(Value.newBuilder().setScalarMapVal(ScalarMap.newBuilder().addVal(ScalarMapEntry.newBuilder()
        .setKey(MapKey.newBuilder().setInt64Key(7)).setValue(Value.newBuilder().setBoolVal(true)))).build()))
        .isEqualTo(java.util.Map.of(7L, true));
    assertThat(FeastValues.toJava(Value.newBuilder().setBytesSetVal(dev.quiver.grpc.feast.types.BytesSet.newBuilder()
        .addVal(ByteString.copyFrom(new byte[] {1}))).build())).isInstanceOf(Set.class);
  }

  @Test
  void tellsTheMembersQuiverHasATypeFor() {
    assertThat(FeastValues.hasQuiverType(Value.newBuilder().setInt64Val(1).build())).isTrue();
    assertThat(FeastValues.hasQuiverType(Value.getDefaultInstance())).isTrue();
    assertThat(FeastValues.hasQuiverType(Value.newBuilder().setUuidVal("u").build())).isTrue();
    assertThat(FeastValues.hasQuiverType(Value.newBuilder().setZonedTimestampVal(ZonedTimestamp.getDefaultInstance())
        .build())).isTrue();
    assertThat(FeastValues.hasQuiverType(Value.newBuilder().setMapVal(Map.getDefaultInstance()).build())).isFalse();
    assertThat(FeastValues.hasQuiverType(Value.newBuilder().setInt64SetVal(Int64Set.getDefaultInstance()).build())).isFalse();
    assertThat(FeastValues.hasQuiverType(Value.newBuilder().setListVal(RepeatedValue.getDefaultInstance()).build())).isFalse();
  }

  @Test
  void refusesWhatFeastCannotCarry() {
    assertThatThrownBy(() -> FeastValues.fromJava(Arrays.asList("a", null))).hasMessageContaining("null elements");
    assertThatThrownBy(() -> FeastValues.fromJava(List.of("a", 1L))).hasMessageContaining("mixes");
    assertThatThrownBy(() -> FeastValues.fromJava(new Object())).hasMessageContaining("no Feast value type");
    assertThatThrownBy(() -> FeastValues.toJava(Value.newBuilder().setUnixTimestampVal(Long.MAX_VALUE).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside");
    assertThatThrownBy(() -> FeastValues.toJava(Value.newBuilder().setDecimalVal("1,5").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'1,5' is not a decimal number");
  }
}
