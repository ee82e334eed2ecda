package dev.quiver.offline.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * An Iceberg schema as the Spark schema its Parquet data files are read with, as Iceberg's own Spark
 * integration maps it: {@code timestamptz} is Spark's {@code timestamp}, {@code timestamp} (without a
 * zone) {@code timestamp_ntz}, {@code uuid} and {@code fixed} are {@code binary}. A column of a type
 * Spark's Parquet reader cannot take from the files ({@code time}, {@code timestamp_ns}, {@code
 * variant}, geospatial types, or a list or map of one) is left out of the read, so it is what a
 * definition reading it is told is missing. Stateless.
 */
final class IcebergSchemas {
  private IcebergSchemas() {}

  /** The columns Spark can read, in the schema's order. */
  static StructType toSpark(Schema schema) {
    return struct(schema.asStruct());
  }

  private static StructType struct(Types.StructType struct) {
    List<StructField> fields = new ArrayList<>();
    for (Types.NestedField f : struct.fields()) {
      DataType t = type(f.type());
      if (t != null) {
        fields.add(DataTypes.createStructField(f.name(), t, f.isOptional()));
      }
    }
    return DataTypes.createStructType(fields);
  }

  /** Spark's type for {@code type}, or null when Spark's Parquet reader cannot read it. */
  private static DataType type(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN -> DataTypes.BooleanType;
      case INTEGER -> DataTypes.IntegerType;
      case LONG -> DataTypes.LongType;
      case FLOAT -> DataTypes.FloatType;
      case DOUBLE -> DataTypes.DoubleType;
      case DATE -> DataTypes.DateType;
      case TIMESTAMP -> ((Types.TimestampType) type).shouldAdjustToUTC() ? DataTypes.TimestampType : DataTypes.TimestampNTZType;
      case STRING -> DataTypes.StringType;
      case UUID, FIXED, BINARY -> DataTypes.BinaryType;
      case DECIMAL -> DataTypes.createDecimalType(((Types.DecimalType) type).precision(), ((Types.DecimalType) type).scale());
      case STRUCT -> {
        StructType s = struct(type.asStructType());
        yield s.fields().length == 0 ? null : s;
      }
      case LIST -> {
        DataType element = type(type.asListType().elementType());
        yield element == null ? null : DataTypes.createArrayType(element, type.asListType().isElementOptional());
      }
      case MAP -> {
        DataType k = type(type.asMapType().keyType());
        DataType v = type(type.asMapType().valueType());
        yield k == null || v == null ? null : DataTypes.createMapType(k, v, type.asMapType().isValueOptional());
      }
      default -> null;
    };
  }
}
