package dev.quiver.server.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.grpc.feast.serving.FeatureViewMetadata;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponse;
import dev.quiver.grpc.feast.types.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Feast's {@code GetOnlineFeaturesResponse} written straight to its wire bytes, as the HTTP front end
 * writes its JSON: the same bytes as {@link FeastProto#response}{@code .toByteArray()} (fields in number
 * order, statuses packed, a null value or time an empty message), without building a protobuf object
 * per value and time. Scalar values and times are written here; a list or bytes value, a value of an
 * unknown type and the entity key columns are built as protobuf messages ({@link FeastProto}) and
 * written as such. Stateless.
 */
final class FeastResponseBytes {
  // field numbers (feast/serving/ServingService.proto, feast/types/Value.proto, google/protobuf/timestamp.proto)
  private static final int RESPONSE_METADATA = 1;
  private static final int RESPONSE_RESULTS = 2;
  private static final int RESPONSE_STATUS = 3;
  private static final int METADATA_FEATURE_NAMES = 1;
  private static final int METADATA_VIEWS = 2;
  private static final int LIST_VAL = 1;
  private static final int VECTOR_VALUES = 1;
  private static final int VECTOR_STATUSES = 2;
  private static final int VECTOR_TIMES = 3;
  private static final int TIME_SECONDS = 1;
  private static final int TIME_NANOS = 2;

  private FeastResponseBytes() {}

  /**
   * The response's bytes; equal to {@code FeastProto.response(request, response).toByteArray()}.
   *
   * @throws FeastProto.Unrepresentable as {@link FeastProto#response} does
   */
  static byte[] encode(GetOnlineFeaturesRequest request, OnlineResponse response) {
    List<GetOnlineFeaturesResponse.FeatureVector> keys = new ArrayList<>(response.entities().size());
    int namesSize = 0;
    for (Map.Entry<String, List<Object>> key : response.entities().entrySet()) {
      namesSize += CodedOutputStream.computeStringSize(LIST_VAL, key.getKey());
      keys.add(FeastProto.keyVector(key.getValue(), request.getEntitiesOrThrow(key.getKey()).getValList()));
    }
    List<FeatureColumn> features = response.features();
    Column[] columns = new Column[features.size()];
    for (int c = 0; c < columns.length; c++) {
      namesSize += CodedOutputStream.computeStringSize(LIST_VAL, features.get(c).name());
      columns[c] = new Column(features.get(c));
    }
    List<FeatureViewMetadata> views = new ArrayList<>();
    if (request.getIncludeFeatureViewVersionMetadata()) {
      for (VersionedName view : response.viewsRead()) {
        views.add(FeatureViewMetadata.newBuilder().setName(view.name()).setVersion(view.version()).build());
      }
    }
    int metadataSize = CodedOutputStream.computeTagSize(METADATA_FEATURE_NAMES) + sizeWithLength(namesSize);
    for (FeatureViewMetadata view : views) {
      metadataSize += CodedOutputStream.computeMessageSize(METADATA_VIEWS, view);
    }
    int total = CodedOutputStream.computeTagSize(RESPONSE_METADATA) + sizeWithLength(metadataSize)
        + CodedOutputStream.computeBoolSize(RESPONSE_STATUS, true);
    for (GetOnlineFeaturesResponse.FeatureVector key : keys) {
      total += CodedOutputStream.computeMessageSize(RESPONSE_RESULTS, key);
    }
    for (Column column : columns) {
      total += CodedOutputStream.computeTagSize(RESPONSE_RESULTS) + sizeWithLength(column.size);
    }
    byte[] bytes = new byte[total];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeTag(RESPONSE_METADATA, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(metadataSize);
      out.writeTag(METADATA_FEATURE_NAMES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(namesSize);
      for (String name : response.entities().keySet()) {
        out.writeString(LIST_VAL, name);
      }
      for (FeatureColumn column : features) {
        out.writeString(LIST_VAL, column.name());
      }
      for (FeatureViewMetadata view : views) {
        out.writeMessage(METADATA_VIEWS, view);
      }
      for (GetOnlineFeaturesResponse.FeatureVector key : keys) {
        out.writeMessage(RESPONSE_RESULTS, key);
      }
      for (Column column : columns) {
        out.writeTag(RESPONSE_RESULTS, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(column.size);
        column.writeTo(out);
      }
      out.writeBool(RESPONSE_STATUS, true);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("a response's bytes did not fit their computed size", e);
    }
    return bytes;
  }

  private static int sizeWithLength(int size) {
    return CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }

  /** One feature's vector: its encoded size, computed first, then its bytes. */
  private static final class Column {
    private final FeatureColumn column;
    private final ScalarType scalar;
    private final int[] valueSizes;
    private final Value[] built; // values written as protobuf messages (lists, bytes, unknown types), else null
    private final int statusesSize;
    private final int size;

    Column(FeatureColumn column) {
      this.column = column;
      this.scalar = column.type() instanceof ScalarType s && s != ScalarType.BYTES ? s : null;
      int n = column.values().size();
      valueSizes = new int[n];
      built = scalar == null ? new Value[n] : null;
      int s = 0;
      int statuses = 0;
      for (int i = 0; i < n; i++) {
        Object v = column.values().get(i);
        if (scalar != null || v == null) {
          valueSizes[i] = v == null ? 0 : scalarSize(scalar, v);
        } else {
          built[i] = FeastProto.protoValue(column.type(), v, column.name());
          valueSizes[i] = built[i].getSerializedSize();
        }
        s += CodedOutputStream.computeTagSize(VECTOR_VALUES) + sizeWithLength(valueSizes[i]);
        statuses += CodedOutputStream.computeEnumSizeNoTag(FeastProto.status(column.statuses().get(i)).getNumber());
        s += CodedOutputStream.computeTagSize(VECTOR_TIMES) + sizeWithLength(timeSize(column.eventTimes().get(i)));
      }
      statusesSize = statuses;
      if (n > 0) {
        s += CodedOutputStream.computeTagSize(VECTOR_STATUSES) + sizeWithLength(statuses);
      }
      size = s;
    }

    void writeTo(CodedOutputStream out) throws IOException {
      int n = valueSizes.length;
      for (int i = 0; i < n; i++) {
        out.writeTag(VECTOR_VALUES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(valueSizes[i]);
        Object v = column.values().get(i);
        if (built != null && built[i] != null) {
          built[i].writeTo(out);
        } else if (v != null) {
          writeScalar(out, scalar, v);
        }
      }
      if (n > 0) {
        out.writeTag(VECTOR_STATUSES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(statusesSize);
        for (FeatureStatus status : column.statuses()) {
          out.writeEnumNoTag(FeastProto.status(status).getNumber());
        }
      }
      for (Instant t : column.eventTimes()) {
        out.writeTag(VECTOR_TIMES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(timeSize(t));
        if (t != null) {
          if (t.getEpochSecond() != 0) {
            out.writeInt64(TIME_SECONDS, t.getEpochSecond());
          }
          if (t.getNano() != 0) {
            out.writeInt32(TIME_NANOS, t.getNano());
          }
        }
      }
    }
  }

  /** A {@code google.protobuf.Timestamp}'s size (fields at their defaults are not written); null: the empty one. */
  private static int timeSize(Instant t) {
    if (t == null) {
      return 0;
    }
    return (t.getEpochSecond() == 0 ? 0 : CodedOutputStream.computeInt64Size(TIME_SECONDS, t.getEpochSecond()))
        + (t.getNano() == 0 ? 0 : CodedOutputStream.computeInt32Size(TIME_NANOS, t.getNano()));
  }

  /** A {@code Value} with one scalar of the oneof set (written even at its default, as a oneof member is). */
  private static int scalarSize(ScalarType type, Object v) {
    return switch (type) {
      case INT32 -> CodedOutputStream.computeInt32Size(Value.INT32_VAL_FIELD_NUMBER, ((Number) v).intValue());
      case INT64 -> CodedOutputStream.computeInt64Size(Value.INT64_VAL_FIELD_NUMBER, ((Number) v).longValue());
      case FLOAT32 -> CodedOutputStream.computeFloatSize(Value.FLOAT_VAL_FIELD_NUMBER, ((Number) v).floatValue());
      case FLOAT64 -> CodedOutputStream.computeDoubleSize(Value.DOUBLE_VAL_FIELD_NUMBER, ((Number) v).doubleValue());
      case BOOL -> CodedOutputStream.computeBoolSize(Value.BOOL_VAL_FIELD_NUMBER, (Boolean) v);
      case STRING -> CodedOutputStream.computeStringSize(Value.STRING_VAL_FIELD_NUMBER, (String) v);
      case TIMESTAMP -> CodedOutputStream.computeInt64Size(Value.UNIX_TIMESTAMP_VAL_FIELD_NUMBER, ((Instant) v).getEpochSecond());
      case BYTES -> throw new IllegalStateException("bytes values are built as messages");
    };
  }

  private static void writeScalar(CodedOutputStream out, ScalarType type, Object v) throws IOException {
    switch (type) {
      case INT32 -> out.writeInt32(Value.INT32_VAL_FIELD_NUMBER, ((Number) v).intValue());
      case INT64 -> out.writeInt64(Value.INT64_VAL_FIELD_NUMBER, ((Number) v).longValue());
      case FLOAT32 -> out.writeFloat(Value.FLOAT_VAL_FIELD_NUMBER, ((Number) v).floatValue());
      case FLOAT64 -> out.writeDouble(Value.DOUBLE_VAL_FIELD_NUMBER, ((Number) v).doubleValue());
      case BOOL -> out.writeBool(Value.BOOL_VAL_FIELD_NUMBER, (Boolean) v);
      case STRING -> out.writeString(Value.STRING_VAL_FIELD_NUMBER, (String) v);
      case TIMESTAMP -> out.writeInt64(Value.UNIX_TIMESTAMP_VAL_FIELD_NUMBER, ((Instant) v).getEpochSecond());
      case BYTES -> throw new IllegalStateException("bytes values are built as messages");
    }
  }
}
