package dev.quiver.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponse;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.Value;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The directly written response bytes are the protobuf message's bytes, on randomized responses. */
class FeastResponseBytesTest {
  private static final ValueType[] TYPES = typesAndNull();

  @Test
  void theBytesAreTheProtobufMessagesOnRandomizedResponses() {
    Random random = new Random(20);
    for (int round = 0; round < 3_000; round++) {
      GetOnlineFeaturesRequest.Builder request = GetOnlineFeaturesRequest.newBuilder()
          .setIncludeFeatureViewVersionMetadata(random.nextBoolean());
      int rows = random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(round % 10 == 0 ? 60 : 4);
      Map<String, List<Object>> entities = new LinkedHashMap<>();
      for (int k = 0, keys = random.nextInt(3); k < keys; k++) {
        String name = "key_" + k + (random.nextBoolean() ? "é" : "");
        List<Object> looked = new ArrayList<>();
        RepeatedValue.Builder sent = RepeatedValue.newBuilder();
        for (int r = 0; r < rows; r++) {
          long id = random.nextLong(-5, 1_000_000);
          boolean asString = random.nextInt(5) == 0;
          looked.add(random.nextInt(7) == 0 ? new Object() : id); // an Object: no Feast type, echoed as sent
          sent.addVal(asString ? Value.newBuilder().setStringVal(Long.toString(id)).build()
              : Value.newBuilder().setInt64Val(id).build());
        }
        entities.put(name, looked);
        request.putEntities(name, sent.build());
      }
      List<FeatureColumn> columns = new ArrayList<>();
      for (int c = 0, n = random.nextInt(round % 10 == 0 ? 60 : 6); c < n; c++) {
        ValueType type = TYPES[random.nextInt(TYPES.length)];
        List<Object> values = new ArrayList<>();
        List<FeatureStatus> statuses = new ArrayList<>();
        List<Instant> times = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
          values.add(random.nextInt(6) == 0 ? null : value(type, random));
          statuses.add(FeatureStatus.values()[random.nextInt(FeatureStatus.values().length)]);
          times.add(time(random));
        }
        columns.add(new FeatureColumn("f" + c + (random.nextInt(4) == 0 ? "_ü€😀" : ""), null, type, values, statuses, times));
      }
      List<VersionedName> views = new ArrayList<>();
      for (int v = 0, n = random.nextInt(3); v < n; v++) {
        views.add(new VersionedName("view_" + v, random.nextInt(3)));
      }
      OnlineResponse response = new OnlineResponse(entities, columns, views);
      GetOnlineFeaturesRequest built = request.build();
      GetOnlineFeaturesResponse expected = FeastProto.response(built, response);
      byte[] bytes = FeastResponseBytes.encode(built, response);
      assertThat(bytes).as("round %d", round).isEqualTo(expected.toByteArray());
    }
  }

  @Test
  void aValueFeastCannotCarryFailsAsTheProtobufPathDoes() {
    FeatureColumn column = new FeatureColumn("tags", null, new ListType(ScalarType.STRING),
        Arrays.asList(Arrays.asList("a", null)), List.of(FeatureStatus.PRESENT), Arrays.asList((Instant) null));
    OnlineResponse response = new OnlineResponse(Map.of(), List.of(column));
    GetOnlineFeaturesRequest request = GetOnlineFeaturesRequest.getDefaultInstance();
    assertThatThrownBy(() -> FeastProto.response(request, response)).isInstanceOf(FeastProto.Unrepresentable.class);
    assertThatThrownBy(() -> FeastResponseBytes.encode(request, response)).isInstanceOf(FeastProto.Unrepresentable.class)
        .hasMessageContaining("tags");
  }

  private static ValueType[] typesAndNull() {
    List<ValueType> types = new ArrayList<>();
    for (ScalarType s : ScalarType.values()) {
      types.add(s);
      types.add(new ListType(s));
    }
    types.add(null); // unknown: encoded by the value's Java type
    return types.toArray(new ValueType[0]);
  }

  private static Instant time(Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> null;
      case 1 -> Instant.ofEpochSecond(0, random.nextInt(2) * random.nextInt(1_000_000_000));
      case 2 -> Instant.ofEpochSecond(-random.nextInt(1_000_000_000), random.nextInt(1_000_000_000));
      default -> Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000), random.nextBoolean() ? 0 : random.nextInt(1_000_000_000));
    };
  }

  private static Object value(ValueType type, Random random) {
    if (type == null) {
      return scalar(ScalarType.values()[random.nextInt(ScalarType.values().length)], random);
    }
    if (type instanceof ListType l) {
      List<Object> items = new ArrayList<>();
      for (int i = 0, n = random.nextInt(4); i < n; i++) {
        items.add(scalar(l.element(), random));
      }
      return items;
    }
    return scalar((ScalarType) type, random);
  }

  private static Object scalar(ScalarType type, Random random) {
    boolean zero = random.nextInt(5) == 0; // defaults are written too: a oneof member is always set
    return switch (type) {
      case INT32 -> zero ? 0 : random.nextInt();
      case INT64 -> zero ? 0L : random.nextLong();
      case FLOAT32 -> zero ? 0f : random.nextInt(10) == 0 ? Float.NaN : random.nextFloat() * 1000 - 500;
      case FLOAT64 -> zero ? 0d : random.nextInt(10) == 0 ? -0.0 : random.nextGaussian() * 1e6;
      case BOOL -> !zero && random.nextBoolean();
      case STRING -> zero ? "" : random.nextBoolean() ? "s" + random.nextInt() : "ü€😀\uD800x";
      case BYTES -> zero ? new byte[0] : new byte[] {(byte) random.nextInt(), 0, (byte) 0xff};
      case TIMESTAMP -> Instant.ofEpochSecond(zero ? 0 : random.nextLong(-10_000_000_000L, 10_000_000_000L));
    };
  }
}
