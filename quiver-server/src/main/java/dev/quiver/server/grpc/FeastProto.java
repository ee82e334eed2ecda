package dev.quiver.server.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.grpc.feast.serving.FeatureList;
import dev.quiver.grpc.feast.serving.FeatureViewMetadata;
import dev.quiver.grpc.feast.serving.FieldStatus;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponse;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponseMetadata;
import dev.quiver.grpc.feast.types.BoolList;
import dev.quiver.grpc.feast.types.BytesList;
import dev.quiver.grpc.feast.types.DoubleList;
import dev.quiver.grpc.feast.types.FloatList;
import dev.quiver.grpc.feast.types.Int32List;
import dev.quiver.grpc.feast.types.Int64List;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.StringList;
import dev.quiver.grpc.feast.types.Value;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.grpc.FeastValues;
import dev.quiver.server.OnlineRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Feast's protobuf shapes to and from the server's request and response. Values map as Feast maps
 * them: {@code int64_val} to {@code Long}, {@code unix_timestamp_val} (seconds) to {@code Instant}, an
 * unset value or {@code null_val} to null; answers are encoded by each feature's declared type. Stateless.
 */
final class FeastProto {
  private static final Timestamp NO_TIME = Timestamp.getDefaultInstance();
  private static final Value NULL = Value.getDefaultInstance();

  private FeastProto() {}

  /** A stored value Feast's value types cannot carry; not the caller's fault, so not an invalid request. */
  static final class Unrepresentable extends RuntimeException {
    Unrepresentable(String message) {
      super(message, null, false, false);
    }
  }

  static OnlineRequest request(GetOnlineFeaturesRequest r) {
    List<String> features = r.hasFeatures() ? r.getFeatures().getValList() : List.of();
    String service = r.getKindCase() == GetOnlineFeaturesRequest.KindCase.FEATURE_SERVICE ? r.getFeatureService() : null;
    return new OnlineRequest(features, service, columns(r.getEntitiesMap(), "entities"), r.getFullFeatureNames(),
        columns(r.getRequestContextMap(), "request_context"));
  }

  private static Map<String, List<Object>> columns(Map<String, RepeatedValue> columns, String field) {
    Map<String, List<Object>> out = new LinkedHashMap<>();
    for (Map.Entry<String, RepeatedValue> e : columns.entrySet()) {
      List<Object> values = new ArrayList<>(e.getValue().getValCount());
      for (Value v : e.getValue().getValList()) {
        if (!FeastValues.hasQuiverType(v)) {
          throw new InvalidRequestException("'" + field + "." + e.getKey() + "' value " + values.size() + " is a "
              + v.getValCase().name().toLowerCase(Locale.ROOT) + ", which no Quiver type holds; keys and"
              + " request data are int32, int64, float, double, bool, string, bytes or unix_timestamp values, or"
              + " *_list_vals of them");
        }
        try {
          values.add(FeastValues.toJava(v));
        } catch (IllegalArgumentException ex) {
          throw new InvalidRequestException("'" + field + "." + e.getKey() + "': " + ex.getMessage());
        }
      }
      out.put(e.getKey(), values);
    }
    return out;
  }

  /**
   * Feast's response: the entity key columns first (the keys as looked up, parsed to their types;
   * PRESENT, time 0), then one vector per feature in request order; {@code status} true (as Feast's
   * remote online store sets it on every answer). When the request sets {@code
   * include_feature_view_version_metadata}, the metadata also names each feature view version the
   * answer read ({@link OnlineResponse#viewsRead()}: the inputs of on-demand features included, as
   * Feast counts them).
   *
   * @throws Unrepresentable when a value cannot be carried by Feast's types (a list with null elements),
   *     naming the feature
   */
  static GetOnlineFeaturesResponse response(GetOnlineFeaturesRequest request, OnlineResponse response) {
    FeatureList.Builder names = FeatureList.newBuilder();
    GetOnlineFeaturesResponse.Builder out = GetOnlineFeaturesResponse.newBuilder();
    for (Map.Entry<String, List<Object>> key : response.entities().entrySet()) {
      names.addVal(key.getKey());
      out.addResults(keyVector(key.getValue(), request.getEntitiesOrThrow(key.getKey()).getValList()));
    }
    for (FeatureColumn column : response.features()) {
      names.addVal(column.name());
      GetOnlineFeaturesResponse.FeatureVector.Builder vector = GetOnlineFeaturesResponse.FeatureVector.newBuilder();
      for (int i = 0; i < column.values().size(); i++) {
        vector.addValues(protoValue(column.type(), column.values().get(i), column.name()));
        vector.addStatuses(status(column.statuses().get(i)));
        vector.addEventTimestamps(timestamp(column.eventTimes().get(i)));
      }
      out.addResults(vector);
    }
    GetOnlineFeaturesResponseMetadata.Builder metadata = GetOnlineFeaturesResponseMetadata.newBuilder().setFeatureNames(names);
    if (request.getIncludeFeatureViewVersionMetadata()) {
      for (VersionedName view : response.viewsRead()) {
        metadata.addFeatureViewMetadata(FeatureViewMetadata.newBuilder().setName(view.name()).setVersion(view.version()));
      }
    }
    return out.setMetadata(metadata).setStatus(true).build();
  }

  /** An entity key column: the keys as looked up ({@code looked}; {@code sent} as the request sent them), PRESENT, time 0. */
  static GetOnlineFeaturesResponse.FeatureVector keyVector(List<Object> looked, List<Value> sent) {
    GetOnlineFeaturesResponse.FeatureVector.Builder vector = GetOnlineFeaturesResponse.FeatureVector.newBuilder();
    for (int i = 0; i < looked.size(); i++) {
      vector.addValues(echo(looked.get(i), sent.get(i)));
      vector.addStatuses(FieldStatus.PRESENT).addEventTimestamps(NO_TIME);
    }
    return vector.build();
  }

  /** An entity value as the server looked it up (a key parsed to its type: {@code int64_val} 1 for {@code string_val} "1"). */
  private static Value echo(Object looked, Value sent) {
    try {
      return FeastValues.fromJava(looked);
    } catch (IllegalArgumentException noFeastType) {
      return sent;
    }
  }

  static FieldStatus status(FeatureStatus s) {
    return switch (s) {
      case PRESENT -> FieldStatus.PRESENT;
      case NULL_VALUE -> FieldStatus.NULL_VALUE;
      case NOT_FOUND -> FieldStatus.NOT_FOUND;
      case OUTSIDE_MAX_AGE -> FieldStatus.OUTSIDE_MAX_AGE;
    };
  }

  static Timestamp timestamp(Instant t) {
    return t == null ? NO_TIME : Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  /** One value encoded by the feature's type; by the value's Java type when the feature's is unknown. */
  static Value protoValue(ValueType type, Object v, String feature) {
    if (v == null) {
      return NULL;
    }
    if (type == null) {
      try {
        return FeastValues.fromJava(v);
      } catch (IllegalArgumentException e) {
        throw new Unrepresentable("feature '" + feature + "': " + e.getMessage());
      }
    }
    Value.Builder b = Value.newBuilder();
    switch (type) {
      case ScalarType s -> {
        switch (s) {
          case INT32 -> b.setInt32Val(((Number) v).intValue());
          case INT64 -> b.setInt64Val(((Number) v).longValue());
          case FLOAT32 -> b.setFloatVal(((Number) v).floatValue());
          case FLOAT64 -> b.setDoubleVal(((Number) v).doubleValue());
          case BOOL -> b.setBoolVal((Boolean) v);
          case STRING -> b.setStringVal((String) v);
          case BYTES -> b.setBytesVal(ByteString.copyFrom((byte[]) v));
          case TIMESTAMP -> b.setUnixTimestampVal(((Instant) v).getEpochSecond());
        }
      }
      case ListType l -> {
        List<?> items = (List<?>) v;
        if (FeastValues.hasNull(items)) {
          throw new Unrepresentable("feature '" + feature + "' holds a list with null elements, which Feast's"
              + " gRPC value types cannot carry; read it over HTTP, where null elements are kept");
        }
        switch (l.element()) {
          case INT32 -> b.setInt32ListVal(Int32List.newBuilder().addAllVal(items.stream().map(x -> ((Number) x).intValue()).toList()));
          case INT64 -> b.setInt64ListVal(Int64List.newBuilder().addAllVal(items.stream().map(x -> ((Number) x).longValue()).toList()));
          case FLOAT32 -> b.setFloatListVal(FloatList.newBuilder().addAllVal(items.stream().map(x -> ((Number) x).floatValue()).toList()));
          case FLOAT64 -> b.setDoubleListVal(DoubleList.newBuilder().addAllVal(items.stream().map(x -> ((Number) x).doubleValue()).toList()));
          case BOOL -> b.setBoolListVal(BoolList.newBuilder().addAllVal(items.stream().map(x -> (Boolean) x).toList()));
          case STRING -> b.setStringListVal(StringList.newBuilder().addAllVal(items.stream().map(x -> (String) x).toList()));
          case BYTES -> b.setBytesListVal(BytesList.newBuilder().addAllVal(items.stream().map(x -> ByteString.copyFrom((byte[]) x)).toList()));
          case TIMESTAMP -> b.setUnixTimestampListVal(Int64List.newBuilder().addAllVal(items.stream().map(x -> ((Instant) x).getEpochSecond()).toList()));
        }
      }
    }
    return b.build();
  }
}
