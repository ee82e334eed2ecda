package dev.quiver.offline.spark;

import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.TimestampFormat;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;

/**
 * A source's event and created columns converted to timestamps by its {@link TimestampFormat}, on
 * the executors, by the reference conversion itself ({@link TimestampFormat#micros}): the same width
 * rule, the same strict parse, the same overflow check as every other engine. A value that does not
 * convert fails the job with a {@link SourceDataException} naming the source, the value and the
 * format, never a silent null.
 */
final class SparkTimes {
  private SparkTimes() {}

  /** {@code rows} with the source's time columns as timestamps (unchanged for {@code timestamp}). */
  static Dataset<Row> converted(Dataset<Row> rows, FileSource source) {
    TimestampFormat format = source.timestampFormat();
    if (format.kind() == TimestampFormat.Kind.TIMESTAMP) {
      return rows;
    }
    Set<String> names = new LinkedHashSet<>();
    names.add(source.rawColumn(source.timestampColumn()));
    if (source.createdColumn() != null) {
      names.add(source.rawColumn(source.createdColumn()));
    }
    Dataset<Row> out = rows;
    for (String name : names) {
      String field = field(out, name);
      if (field == null) {
        continue; // the engines name a missing column where they read it
      }
      DataType type = out.schema().apply(field).dataType();
      check(source, field, type);
      Column micros = functions.udf(new ToMicros(source.name(), source.path(), format), DataTypes.LongType)
          .apply(out.col(SparkScans.quoted(field)));
      out = out.withColumn(field, functions.timestamp_micros(micros));
    }
    return out;
  }

  private static String field(Dataset<Row> rows, String name) {
    for (String f : rows.columns()) {
      if (f.equals(name)) {
        return f;
      }
    }
    for (String f : rows.columns()) {
      if (f.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    return null;
  }

  private static void check(FileSource source, String field, DataType type) {
    TimestampFormat format = source.timestampFormat();
    boolean integer = type instanceof LongType || type instanceof IntegerType || type instanceof ShortType
        || type instanceof ByteType;
    boolean ok = format.isEpoch() ? integer : type instanceof StringType;
    if (!ok) {
      throw new SourceDataException(source.name(), source.path(), "column '" + field + "' of source '" + source.name()
          + "' holds " + type.simpleString() + ", but timestamp_format " + format.spelling() + " reads "
          + (format.isEpoch() ? "integers" : "strings") + "; fix the files or the source's timestamp_format");
    }
  }

  /** One value to µs since the epoch by the reference conversion; runs on the executors. */
  record ToMicros(String source, String path, TimestampFormat format) implements UDF1<Object, Long> {
    @Override
    public Long call(Object value) {
      try {
        return format.micros(value);
      } catch (IllegalArgumentException e) {
        String what = format.kind() == TimestampFormat.Kind.PATTERN
            ? "'" + value + "' does not match timestamp_format '" + format.pattern() + "' (" + format.width()
                + " characters); fix the value or the pattern"
            : e.getMessage() + " (timestamp_format " + format.spelling() + "); fix the value or the timestamp_format";
        throw new SourceDataException(source, path, "source '" + source + "': " + what);
      }
    }
  }
}
