package dev.quiver.offline.spark;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.offline.PointInTimePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * Writes uploaded query rows (Feast's {@code entity_df}) to one local Parquet file with parquet-java,
 * without a Spark job: the Parquet types DuckDB's engine writes for the same columns (optional int32,
 * int64, float, double, boolean, string, binary; timestamps as UTC-adjusted microseconds), values
 * converted as {@link ParquetAppender} converts pushed rows, zstd as DuckDB compresses it, rows streamed in order (memory bounded by
 * one row group), written beside the target under a temporary name and moved into place.
 */
final class QueryRowsFile {
  private QueryRowsFile() {}

  static long write(Path out, List<PointInTimePlan.Column> columns, Iterator<Object[]> rows) {
    MessageType schema = schema(columns);
    List<Type> fields = schema.getFields();
    SimpleGroupFactory factory = new SimpleGroupFactory(schema);
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    long n = 0;
    try {
      Files.deleteIfExists(tmp);
      try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(tmp)).withType(schema)
          .withConf(new Configuration(false)).withCompressionCodec(CompressionCodecName.ZSTD).build()) {
        while (rows.hasNext()) {
          Object[] row = rows.next();
          Group g = factory.newGroup();
          for (int i = 0; i < fields.size(); i++) {
            Object v = row[i];
            if (v == null) {
              continue; // optional columns not written are null
            }
            try {
              ParquetAppender.add(g, fields.get(i).getName(), fields.get(i).asPrimitiveType(), v);
            } catch (ParquetAppender.Misfit | ArithmeticException e) {
              PointInTimePlan.Column col = columns.get(i);
              throw new InvalidRequestException("query row " + n + ", column '" + col.name() + "' (" + col.type().spelling()
                  + "): " + (e instanceof ArithmeticException ? "a timestamp out of range" : e.getMessage()));
            }
          }
          writer.write(g);
          n++;
        }
      }
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new QuiverException("could not write the query rows to " + out + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort: the scratch folder is cleared with the call
      }
    }
    return n;
  }

  static MessageType schema(List<PointInTimePlan.Column> columns) {
    Types.MessageTypeBuilder message = Types.buildMessage();
    for (PointInTimePlan.Column col : columns) {
      if (!(col.type() instanceof ScalarType t)) {
        throw new InvalidRequestException("query column '" + col.name() + "' is a " + col.type().spelling()
            + "; query rows carry keys, a timestamp and labels of scalar types (" + ValueType.spellings()
            + " without lists): drop it or turn it into a scalar");
      }
      PrimitiveType field = switch (t) {
        case INT32 -> Types.optional(PrimitiveTypeName.INT32).as(LogicalTypeAnnotation.intType(32, true)).named(col.name());
        case INT64 -> Types.optional(PrimitiveTypeName.INT64).as(LogicalTypeAnnotation.intType(64, true)).named(col.name());
        case FLOAT32 -> Types.optional(PrimitiveTypeName.FLOAT).named(col.name());
        case FLOAT64 -> Types.optional(PrimitiveTypeName.DOUBLE).named(col.name());
        case BOOL -> Types.optional(PrimitiveTypeName.BOOLEAN).named(col.name());
        case STRING -> Types.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(col.name());
        case BYTES -> Types.optional(PrimitiveTypeName.BINARY).named(col.name());
        case TIMESTAMP -> Types.optional(PrimitiveTypeName.INT64)
            .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named(col.name());
      };
      message.addField(field);
    }
    return message.named("quiver_query_rows");
  }
}
