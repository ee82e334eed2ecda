package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A feature repo over one Kafka stream source, for stream-ingestion tests: project {@code streams},
 * a file registry, DuckDB offline, RocksDB online, entity {@code user} (key {@code user_id}, int64),
 * source {@code txns} reading a topic of JSON events {@code {user_id, ts, amount, country}}
 * ({@code ts} mapped to {@code event_ts}) and appending them to its batch twin {@code
 * data/txns/*.parquet}, whose first file {@code part-0.parquet} gives the columns. Immutable: each
 * {@code with} method returns a changed copy; {@link #write()} writes the files, {@link #apply}
 * writes them and applies the definitions.
 *
 * <pre>{@code
 * Path repo = StreamRepo.at(tmp.resolve("repo"), broker.bootstrap(), topic)
 *     .withSourceLines("consumer: {max.poll.records: \"25\"}")
 *     .apply(Clock.systemUTC(), "test");
 * }</pre>
 *
 * <p>Writing Parquet files needs DuckDB's JDBC driver on the class path (every module with the DuckDB
 * engine in its tests has it).
 */
public final class StreamRepo {
  /** The twin's columns, one row of each type: end it with {@code WHERE false} for no rows. */
  public static final String TXNS_COLUMNS =
      "SELECT 0::BIGINT AS user_id, TIMESTAMP '2026-01-01' AS ts, 0.0::DOUBLE AS amount, ''::VARCHAR AS country";

  /** View {@code user_last}: the latest {@code amount} and {@code country} of a user. */
  public static final String LATEST_VIEW = """
      feature_views:
        - name: user_last
          entities: [user]
          source: txns
          features:
            - {name: amount}
            - {name: country}
      """;

  private static final String HISTORY = "data/txns/part-0.parquet";

  private final Path root;
  private final String brokers;
  private final String topic;
  private final String sourceLines;
  private final String moreSources;
  private final String views;
  private final Map<String, String> parquet;

  private StreamRepo(Path root, String brokers, String topic, String sourceLines, String moreSources, String views,
      Map<String, String> parquet) {
    this.root = root;
    this.brokers = brokers;
    this.topic = topic;
    this.sourceLines = sourceLines;
    this.moreSources = moreSources;
    this.views = views;
    this.parquet = parquet;
  }

  /**
   * A repo in {@code root} whose source {@code txns} reads {@code topic} on {@code brokers}, with view
   * {@link #LATEST_VIEW} and an empty twin file of {@link #TXNS_COLUMNS}.
   */
  public static StreamRepo at(Path root, String brokers, String topic) {
    Map<String, String> parquet = new LinkedHashMap<>();
    parquet.put(HISTORY, TXNS_COLUMNS + " WHERE false");
    return new StreamRepo(Objects.requireNonNull(root, "root"), Objects.requireNonNull(brokers, "brokers"),
        Objects.requireNonNull(topic, "topic"), "", "", LATEST_VIEW, parquet);
  }

  /** More keys of source {@code txns}, YAML lines at its indentation ({@code "consumer: {...}\nformat: avro"}). */
  public StreamRepo withSourceLines(String yaml) {
    return new StreamRepo(root, brokers, topic, yaml, moreSources, views, parquet);
  }

  /** More sources, YAML list items at the list's indentation ({@code "- {name: profiles, ...}"}). */
  public StreamRepo withMoreSources(String yaml) {
    return new StreamRepo(root, brokers, topic, sourceLines, yaml, views, parquet);
  }

  /** The {@code feature_views:} block instead of {@link #LATEST_VIEW}; it ends the definitions file. */
  public StreamRepo withViews(String yaml) {
    return new StreamRepo(root, brokers, topic, sourceLines, moreSources, yaml, parquet);
  }

  /** The twin's first file holds the rows of {@code select} (DuckDB SQL) instead of none. */
  public StreamRepo withHistory(String select) {
    return withParquet(HISTORY, select);
  }

  /** One more Parquet file at {@code path} (relative to the repo) holding the rows of {@code select}. */
  public StreamRepo withParquet(String path, String select) {
    Map<String, String> more = new LinkedHashMap<>(parquet);
    more.put(path, select);
    return new StreamRepo(root, brokers, topic, sourceLines, moreSources, views, more);
  }

  /** Writes {@code quiver.yaml}, {@code features/defs.yaml} and the Parquet files; returns the repo's root. */
  public Path write() throws Exception {
    Files.createDirectories(root.resolve("features"));
    Files.writeString(root.resolve("quiver.yaml"), """
        project: streams
        registry: {type: file, path: .quiver/registry}
        offline: {engine: duckdb}
        online: {type: rocksdb, path: .quiver/online}
        definitions: [features]
        """);
    Files.writeString(root.resolve("features/defs.yaml"), """
        entities:
          - {name: user, join_keys: [user_id], type: int64}
        sources:
          - name: txns
            type: kafka
            brokers: %s
            topic: %s
            timestamp: event_ts
            field_mapping: {ts: event_ts}
            append_to_batch: true
            batch: {path: data/txns/*.parquet}
        """.formatted(brokers, topic) + indent(sourceLines, 4) + indent(moreSources, 2) + views);
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      for (var file : parquet.entrySet()) {
        Path target = root.resolve(file.getKey());
        Files.createDirectories(target.getParent());
        s.execute("COPY (" + file.getValue() + ") TO '" + target + "' (FORMAT parquet)");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write the repo's Parquet files " + parquet + ": " + e.getMessage(), e);
    }
    return root;
  }

  /** {@link #write()}, then applies the definitions as author {@code test} at {@code clock}'s time. */
  public Path apply(Clock clock, String message) throws Exception {
    write();
    try (FeatureRepo r = FeatureRepo.open(root, clock)) {
      assertThat(r.apply(r.plan(false), "test", message, false)).as("first apply of " + root).isPresent();
    }
    return root;
  }

  private static String indent(String yaml, int spaces) {
    return yaml.isBlank() ? "" : yaml.stripTrailing().indent(spaces);
  }
}
