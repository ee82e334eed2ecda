package dev.quiver.server;

import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.StrictValues;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The columns of one feature service's log (the contract docs/monitoring.md states): {@code
 * request_id}, {@code served_at}, {@code registry_version}, {@code service}, {@code service_version};
 * one column per entity key as the request named it, typed as the entity's key; one per request-data
 * field, typed as declared; per served feature {@code <view>__<feature>} (typed as the feature) and
 * {@code <view>__<feature>__status}. A feature service listing two versions of one view's feature
 * names the older one {@code <view>@v<N>__<feature>}, as Feast's full names do. Two schemas are equal
 * when their column names and types are: only a change starts a new file.
 */
record FeatureLogSchema(List<String> keys, List<ValueType> keyTypes, List<RequestField> requestFields,
    List<String> featureNames, List<ValueType> featureTypes) {

  /**
   * Whether {@code served} has this schema without computing it: the same definitions and service
   * as the request the schema was made for, and the same key columns.
   */
  boolean fits(FeatureLog.Served served, Definitions defs, dev.quiver.core.model.FeatureService service) {
    if (served.defs() != defs || served.definition() != service || served.refs().length != featureNames.size()
        || served.entities().size() != keys.size()) {
      return false;
    }
    for (String k : keys) {
      if (!served.entities().containsKey(k)) {
        return false;
      }
    }
    return true;
  }

  /** The schema of what {@code served} holds. */
  static FeatureLogSchema of(FeatureLog.Served served) {
    Definitions defs = served.defs();
    List<String> keys = new ArrayList<>(served.entities().keySet());
    List<ValueType> keyTypes = new ArrayList<>();
    for (String k : keys) {
      keyTypes.add(keyType(defs, k, served.entities().get(k)));
    }
    Map<String, RequestField> fields = new LinkedHashMap<>();
    Set<String> names = new HashSet<>();
    List<String> featureNames = new ArrayList<>();
    List<ValueType> featureTypes = new ArrayList<>();
    for (int f = 0; f < served.refs().length; f++) {
      FeatureRef ref = served.refs()[f];
      defs.onDemandView(ref.view(), ref.version()).map(OnDemandView::requestFields)
          .ifPresent(rf -> rf.forEach(field -> fields.putIfAbsent(field.name(), field)));
      String name = ref.view() + "__" + ref.feature();
      if (!names.add(name)) {
        name = ref.view() + "@v" + ref.version() + "__" + ref.feature();
        names.add(name);
      }
      featureNames.add(name);
      featureTypes.add(served.types()[f]);
    }
    return new FeatureLogSchema(keys, keyTypes, List.copyOf(fields.values()), featureNames, featureTypes);
  }

  /** The join key's declared type; a key no entity declares takes its values' type. */
  private static ValueType keyType(Definitions defs, String key, List<Object> values) {
    for (Entity e : defs.entities()) {
      for (JoinKey k : e.joinKeys()) {
        if (k.name().equals(key)) {
          return k.type();
        }
      }
    }
    return inferred(values);
  }

  /** The type {@code values} show: that of the first non-null one; STRING when all are null. */
  static ValueType inferred(List<Object> values) {
    for (Object v : values) {
      if (v instanceof Long || v instanceof Integer) {
        return ScalarType.INT64;
      } else if (v instanceof Number) {
        return ScalarType.FLOAT64;
      } else if (v instanceof Boolean) {
        return ScalarType.BOOL;
      } else if (v instanceof byte[]) {
        return ScalarType.BYTES;
      } else if (v instanceof Instant) {
        return ScalarType.TIMESTAMP;
      } else if (v != null) {
        return ScalarType.STRING;
      }
    }
    return ScalarType.STRING;
  }

  /** The one dictionary of the Arrow chunks' status columns: TINYINT codes, not ordered. */
  static final DictionaryEncoding STATUS_DICTIONARY = new DictionaryEncoding(0L, false, new ArrowType.Int(8, true));

  /** The statuses' names by ordinal, as a DuckDB list literal (indexed from 1). */
  private static final String STATUS_NAMES = java.util.Arrays.stream(FeatureStatus.values())
      .map(st -> "'" + st.name() + "'").collect(Collectors.joining(", ", "[", "]"));

  /**
   * The statuses' names as a DuckDB {@code ENUM} type: a dictionary-encoded column cast to it is written to
   * Parquet from its dictionary (text, as VARCHAR would be), with no expression evaluated per row.
   */
  private static final String STATUS_ENUM = java.util.Arrays.stream(FeatureStatus.values())
      .map(st -> "'" + st.name() + "'").collect(Collectors.joining(", ", "ENUM(", ")"));

  /**
   * Rows per Parquet row group: DuckDB encodes and compresses a row group in one step, so this bounds a
   * roll's longest burst of CPU (about 45 ms at 8,192 rows of 50 features against 350 ms for its default
   * 122,880) for 4% more bytes (docs/benchmarks.md, flog30).
   */
  static final int ROW_GROUP_ROWS = 8192;
  private static final String PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE " + ROW_GROUP_ROWS;

  /**
   * {@code COPY (SELECT ...) TO 'file' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 8192)} of the rows {@code rows}
   * holds: every column as it is there except the statuses when {@code statusCodes}, which are then each
   * {@link FeatureStatus#ordinal()} and become their names (VARCHAR, null stays null); without it the
   * statuses are names already (the Arrow chunks' dictionary of names, {@link #arrowSchema()}). The
   * file's columns, names and types are the log's contract.
   */
  String copy(String rows, String file, boolean statusCodes) {
    List<String> cols = new ArrayList<>(List.of("request_id", "served_at", "registry_version", "service", "service_version"));
    for (String k : keys) {
      cols.add(quote(k));
    }
    for (RequestField f : requestFields) {
      cols.add(quote(f.name()));
    }
    for (String name : featureNames) {
      cols.add(quote(name));
      String status = quote(name + "__status");
      cols.add(statusCodes ? "CAST(" + STATUS_NAMES + "[" + status + " + 1] AS VARCHAR) AS " + status
          : "CAST(" + status + " AS " + STATUS_ENUM + ") AS " + status);
    }
    return "COPY (SELECT " + String.join(", ", cols) + " FROM " + rows + ") TO '" + file.replace("'", "''")
        + "' (" + PARQUET_OPTIONS + ")";
  }

  /** A request value as its field's type (the read accepted it, so it parses); null when it does not. */
  static Object requestValue(ValueType type, Object v) {
    if (v == null) {
      return null;
    }
    try {
      if (type instanceof ListType l) {
        List<Object> out = new ArrayList<>();
        for (Object item : (List<?>) v) {
          out.add(item == null ? null : StrictValues.parse(l.element(), item));
        }
        return out;
      }
      return StrictValues.parse((ScalarType) type, v);
    } catch (RuntimeException e) {
      return null;
    }
  }

  static String sql(ValueType type) {
    return switch (type) {
      case ListType l -> sql(l.element()) + "[]";
      case ScalarType s -> switch (s) {
        case INT32 -> "INTEGER";
        case INT64 -> "BIGINT";
        case FLOAT32 -> "FLOAT";
        case FLOAT64 -> "DOUBLE";
        case BOOL -> "BOOLEAN";
        case STRING -> "VARCHAR";
        case BYTES -> "BLOB";
        case TIMESTAMP -> "TIMESTAMP";
      };
    };
  }

  static String quote(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /**
   * The Arrow schema of {@link FeatureLogBatches}' chunks: the file's columns, each status a TINYINT
   * code (its {@link FeatureStatus#ordinal()}) that indexes one dictionary of the statuses' names ({@link
   * #STATUS_DICTIONARY}), so that DuckDB reads the names without evaluating anything per row.
   */
  Schema arrowSchema() {
    return arrowSchema(new ArrowType.Int(8, true));
  }

  /**
   * {@link #arrowSchema()} as an Arrow stream declares it: each status's type is that of the dictionary's
   * values (text), its codes being the indices.
   */
  Schema arrowStreamSchema() {
    return arrowSchema(ArrowType.Utf8.INSTANCE);
  }

  private Schema arrowSchema(ArrowType statusType) {
    FeatureLogSchema schema = this;
    List<Field> fields = new ArrayList<>(List.of(field("request_id", ScalarType.STRING), field("served_at", ScalarType.TIMESTAMP),
        field("registry_version", ScalarType.INT32), field("service", ScalarType.STRING),
        field("service_version", ScalarType.INT32)));
    for (int k = 0; k < schema.keys().size(); k++) {
      fields.add(field(schema.keys().get(k), schema.keyTypes().get(k)));
    }
    for (RequestField f : schema.requestFields()) {
      fields.add(field(f.name(), f.type()));
    }
    FieldType status = new FieldType(true, statusType, STATUS_DICTIONARY);
    for (int f = 0; f < schema.featureNames().size(); f++) {
      fields.add(field(schema.featureNames().get(f), schema.featureTypes().get(f)));
      fields.add(new Field(schema.featureNames().get(f) + "__status", status, null));
    }
    return new Schema(fields);
  }

  /** The statuses' names in ordinal order, the dictionary every status column's codes index. */
  static List<String> statusNames() {
    return java.util.Arrays.stream(FeatureStatus.values()).map(FeatureStatus::name).toList();
  }

  private static Field field(String name, ValueType type) {
    return switch (type) {
      case ScalarType s -> new Field(name, FieldType.nullable(arrowType(s)), null);
      case ListType l -> new Field(name, FieldType.nullable(ArrowType.List.INSTANCE),
          List.of(new Field("item", FieldType.nullable(arrowType(l.element())), null)));
    };
  }

  private static ArrowType arrowType(ScalarType s) {
    return switch (s) {
      case INT32 -> new ArrowType.Int(32, true);
      case INT64 -> new ArrowType.Int(64, true);
      case FLOAT32 -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case FLOAT64 -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case BOOL -> ArrowType.Bool.INSTANCE;
      case STRING -> ArrowType.Utf8.INSTANCE;
      case BYTES -> ArrowType.Binary.INSTANCE;
      case TIMESTAMP -> new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
    };
  }

  @Override
  public String toString() {
    return keys + " " + requestFields.stream().map(RequestField::name).collect(Collectors.joining(",")) + " " + featureNames;
  }
}
