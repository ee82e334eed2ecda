package dev.quiver.offline.spark;

import static org.apache.spark.sql.functions.col;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;

/**
 * The values of an Iceberg table's identity partitions, by data file, so that a file without its
 * partition column (one imported into the table from a Hive layout by {@code migrate} or {@code
 * add_files}, whose partition values live in the path and the table's metadata only) reads them as
 * Iceberg reads them, from the metadata. A file that holds the column keeps its own values: the
 * column is {@code coalesce(column, the file's partition value)}, and for an identity partition the
 * two are equal wherever both exist. Only for tables with imported files, which the import procedures
 * mark with a name mapping ({@code schema.name-mapping.default}): a table written by Iceberg's writers
 * alone holds its partition columns in every file, and its reads carry no per-file map. Top-level
 * columns of simple types only (strings, numbers, booleans, dates, timestamps); others are read from
 * the files alone. Stateless.
 */
final class IcebergPartitionValues {
  private IcebergPartitionValues() {}

  /**
   * Column name → (file key as Spark's {@code _metadata.file_path} names it → value as a Java value
   * {@link functions#lit} takes), for the identity partitions of {@code files}' specs.
   *
   * @param keys the files' keys, aligned with {@code files}
   */
  static Map<String, Map<String, Object>> of(Table table, Schema schema, List<DataFile> files, List<String> keys) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    if (!table.properties().containsKey(TableProperties.DEFAULT_NAME_MAPPING)) {
      return out; // every file was written by an Iceberg writer, which writes the partition columns: nothing to fill
    }
    for (int i = 0; i < files.size(); i++) {
      DataFile f = files.get(i);
      PartitionSpec spec = table.specs().get(f.specId());
      if (spec == null || spec.isUnpartitioned()) {
        continue;
      }
      List<PartitionField> fields = spec.fields();
      for (int p = 0; p < fields.size(); p++) {
        PartitionField field = fields.get(p);
        if (!field.transform().isIdentity()) {
          continue;
        }
        Types.NestedField column = schema.findField(field.sourceId());
        if (column == null || schema.asStruct().field(field.sourceId()) == null) {
          continue; // dropped since, or nested
        }
        Object value = value(column.type(), f.partition().get(p, Object.class));
        if (value != null) {
          out.computeIfAbsent(column.name(), c -> new LinkedHashMap<>()).put(keys.get(i), value);
        }
      }
    }
    return out;
  }

  /** {@code column} with each row's null filled from its file's partition value, as {@code type}. */
  static Column filled(Column column, Map<String, Object> byFile, DataType type) {
    List<Column> entries = new ArrayList<>(byFile.size() * 2);
    byFile.forEach((file, value) -> {
      entries.add(functions.lit(file));
      entries.add(functions.lit(value));
    });
    Column fromMetadata = functions.element_at(functions.map(entries.toArray(Column[]::new)), col("_metadata.file_path"));
    return functions.coalesce(column, fromMetadata.cast(type));
  }

  /** An identity partition's value as a Java value Spark's literals take, or null (unset, or a type not handled). */
  private static Object value(Type type, Object v) {
    if (v == null) {
      return null;
    }
    return switch (type.typeId()) {
      case STRING -> v.toString();
      case INTEGER, LONG, BOOLEAN, FLOAT, DOUBLE -> v;
      case DECIMAL -> v instanceof BigDecimal d ? d : null;
      case DATE -> LocalDate.ofEpochDay(((Number) v).longValue());
      case TIMESTAMP -> {
        long micros = ((Number) v).longValue();
        Instant at = Instant.EPOCH.plusSeconds(Math.floorDiv(micros, 1_000_000L)).plusNanos(Math.floorMod(micros, 1_000_000L) * 1000);
        yield ((Types.TimestampType) type).shouldAdjustToUTC() ? at : LocalDateTime.ofInstant(at, ZoneOffset.UTC);
      }
      default -> null;
    };
  }
}
