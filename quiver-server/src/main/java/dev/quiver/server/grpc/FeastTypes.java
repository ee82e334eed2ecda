package dev.quiver.server.grpc;

import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.grpc.feast.types.ValueType;

/** Quiver's value types as Feast's {@code ValueType.Enum} (what {@code feast.types} builds its dtypes from). Stateless. */
final class FeastTypes {
  private FeastTypes() {}

  static ValueType.Enum of(dev.quiver.core.model.ValueType type) {
    if (type == null) {
      return ValueType.Enum.INVALID;
    }
    return switch (type) {
      case ScalarType s -> scalar(s);
      case ListType l -> list(l.element());
    };
  }

  private static ValueType.Enum scalar(ScalarType s) {
    return switch (s) {
      case INT32 -> ValueType.Enum.INT32;
      case INT64 -> ValueType.Enum.INT64;
      case FLOAT32 -> ValueType.Enum.FLOAT;
      case FLOAT64 -> ValueType.Enum.DOUBLE;
      case BOOL -> ValueType.Enum.BOOL;
      case STRING -> ValueType.Enum.STRING;
      case BYTES -> ValueType.Enum.BYTES;
      case TIMESTAMP -> ValueType.Enum.UNIX_TIMESTAMP;
    };
  }

  private static ValueType.Enum list(ScalarType s) {
    return switch (s) {
      case INT32 -> ValueType.Enum.INT32_LIST;
      case INT64 -> ValueType.Enum.INT64_LIST;
      case FLOAT32 -> ValueType.Enum.FLOAT_LIST;
      case FLOAT64 -> ValueType.Enum.DOUBLE_LIST;
      case BOOL -> ValueType.Enum.BOOL_LIST;
      case STRING -> ValueType.Enum.STRING_LIST;
      case BYTES -> ValueType.Enum.BYTES_LIST;
      case TIMESTAMP -> ValueType.Enum.UNIX_TIMESTAMP_LIST;
    };
  }
}
