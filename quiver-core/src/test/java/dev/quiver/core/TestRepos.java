package dev.quiver.core;

import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.spi.SourceColumn;
import dev.quiver.core.spi.SourceSchemaReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test fixtures for core: feature repos written to a temp folder, and a schema reader that answers
 * from a fixed table instead of files (core has no engine; the DuckDB reader is tested in its module).
 */
public final class TestRepos {
  private TestRepos() {}

  /** The columns of the payments sources as the generator writes them. */
  public static final Map<String, Map<String, ValueType>> PAYMENTS_SCHEMAS = Map.of(
      "data/transactions.parquet", columns(
          "txn_id", ScalarType.INT64, "user_id", ScalarType.INT64, "merchant_id", ScalarType.INT64,
          "amount", ScalarType.FLOAT64, "currency", ScalarType.STRING, "country", ScalarType.STRING,
          "channel", ScalarType.STRING, "is_fraud", ScalarType.BOOL, "event_ts", ScalarType.TIMESTAMP,
          "created_ts", ScalarType.TIMESTAMP),
      "data/user_profiles.parquet", columns(
          "user_id", ScalarType.INT64, "signup_ts", ScalarType.TIMESTAMP, "home_country", ScalarType.STRING,
          "risk_segment", ScalarType.STRING, "credit_limit", ScalarType.FLOAT64, "updated_at", ScalarType.TIMESTAMP),
      "data/merchant_profiles.parquet", columns(
          "merchant_id", ScalarType.INT64, "category", ScalarType.STRING, "country", ScalarType.STRING,
          "risk_score", ScalarType.FLOAT64, "updated_at", ScalarType.TIMESTAMP));

  /** A schema reader over {@link #PAYMENTS_SCHEMAS}, keyed by source path. */
  public static SourceSchemaReader schemas() {
    return schemas(PAYMENTS_SCHEMAS);
  }

  public static SourceSchemaReader schemas(Map<String, Map<String, ValueType>> byPath) {
    return (FileSource source, Path root) -> {
      Map<String, ValueType> cols = byPath.get(source.path());
      if (cols == null) {
        throw new QuiverException("no file matches " + source.path());
      }
      List<SourceColumn> out = new ArrayList<>();
      cols.forEach((n, t) -> out.add(new SourceColumn(n, t, t.spelling())));
      return out;
    };
  }

  /** Writes {@code quiver.yaml} and the given definition files into {@code dir}. */
  public static Path write(Path dir, Map<String, String> files) {
    try {
      Files.createDirectories(dir);
      if (!files.containsKey("quiver.yaml")) {
        Files.writeString(dir.resolve("quiver.yaml"), "project: payments\n");
      }
      for (var e : files.entrySet()) {
        Path p = dir.resolve(e.getKey());
        Files.createDirectories(p.getParent());
        Files.writeString(p, e.getValue());
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, ValueType> columns(Object... pairs) {
    Map<String, ValueType> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (ValueType) pairs[i + 1]);
    }
    return m;
  }
}
