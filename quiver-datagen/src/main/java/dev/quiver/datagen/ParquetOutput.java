package dev.quiver.datagen;

import dev.quiver.core.QuiverException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDriver;

/**
 * Writes a dataset's three Parquet files through DuckDB: rows stream into an Appender on an
 * in-memory database (which spills to a private temp directory if it outgrows memory), then {@code
 * COPY ... TO} writes each file. Transactions are appended with small integer codes for currency,
 * country and channel and turned back into strings by the COPY, which halves the append time.
 *
 * <p>Transactions are held {@value #CHUNK_ROWS} rows at a time (about 0.5 GB of native memory): each
 * chunk is copied to a hidden part file beside the target and dropped, and a dataset of several
 * chunks is then copied from its parts, in order, into the one target file (DuckDB streams that
 * copy). So memory stays bounded whatever the row count (100 million rows and more), at the cost of
 * writing large datasets twice.
 *
 * <p>Each file is written under a temporary name in the target directory and moved into place, so
 * a failed run never leaves a truncated file under the final name.
 */
final class ParquetOutput {

  private static final DuckDBDriver DRIVER = new DuckDBDriver();

  /** Transactions held in memory at a time. */
  static final long CHUNK_ROWS = 5_000_000;

  private ParquetOutput() {}

  static RowCounts write(
      PaymentsDataset dataset, Population population, Path dataDir, LongConsumer progress) {
    return write(dataset, population, dataDir, progress, CHUNK_ROWS);
  }

  /** {@link #write(PaymentsDataset, Population, Path, LongConsumer)} holding {@code chunkRows} transactions at a time. */
  static RowCounts write(
      PaymentsDataset dataset, Population population, Path dataDir, LongConsumer progress, long chunkRows) {
    if (chunkRows < 1) {
      throw new IllegalArgumentException("chunkRows must be positive, got " + chunkRows);
    }
    Path spill = null;
    try {
      Files.createDirectories(dataDir);
      spill = Files.createTempDirectory("quiver-datagen-");
      try (DuckDBConnection connection = open(spill)) {
        long transactions =
            writeTransactions(connection, dataset, population, dataDir.resolve(PaymentsGenerator.TRANSACTIONS_FILE), progress,
                chunkRows);
        long users = writeUsers(connection, dataset, population, dataDir.resolve(PaymentsGenerator.USER_PROFILES_FILE));
        long merchants =
            writeMerchants(connection, dataset, population, dataDir.resolve(PaymentsGenerator.MERCHANT_PROFILES_FILE));
        return new RowCounts(transactions, users, merchants);
      }
    } catch (SQLException | IOException e) {
      throw new QuiverException(
          "datagen: cannot write the payments data to " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(spill);
    }
  }

  private static DuckDBConnection open(Path spill) throws SQLException {
    Connection connection = DRIVER.connect("jdbc:duckdb:", new Properties());
    try {
      DuckDBConnection duckdb = connection.unwrap(DuckDBConnection.class);
      execute(duckdb, "SET temp_directory = " + literal(spill.toString()));
      execute(duckdb, "SET preserve_insertion_order = true");
      return duckdb;
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  private static long writeTransactions(
      DuckDBConnection connection,
      PaymentsDataset dataset,
      Population population,
      Path target,
      LongConsumer progress,
      long chunkRows)
      throws SQLException, IOException {
    TransactionCursor row = new TransactionCursor(dataset, population);
    List<Path> parts = new ArrayList<>();
    long rows = 0;
    try {
      boolean more = true;
      while (more) {
        execute(
            connection,
            """
            CREATE TABLE transactions (
              txn_id BIGINT, user_id BIGINT, merchant_id BIGINT, amount DOUBLE,
              currency UTINYINT, country UTINYINT, channel UTINYINT, is_fraud BOOLEAN,
              event_ts TIMESTAMP, created_ts TIMESTAMP)""");
        long inChunk = 0;
        try (DuckDBAppender appender = connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "transactions")) {
          while (inChunk < chunkRows && (more = row.advance())) {
            appender
                .beginRow()
                .append(row.txnId)
                .append(row.userId)
                .append(row.merchantId)
                .append(row.amount)
                .append(row.currency)
                .append(row.country)
                .append(row.channel)
                .append(row.fraud)
                .appendEpochMicros(row.eventMicros)
                .appendEpochMicros(row.createdMicros)
                .endRow();
            inChunk++;
            if (++rows % PaymentsGenerator.PROGRESS_INTERVAL == 0) {
              if (Thread.currentThread().isInterrupted()) {
                throw new QuiverException("datagen: interrupted after " + rows + " transactions; nothing was written");
              }
              progress.accept(rows);
            }
          }
        }
        if (more || !parts.isEmpty()) {
          // a full chunk, or the rest after full ones: to a part file, and free the memory
          Path part = target.resolveSibling("." + target.getFileName() + ".part-" + parts.size());
          parts.add(part);
          copyTo(connection, TRANSACTIONS_SELECT, part);
          execute(connection, "DROP TABLE transactions");
        }
      }
      if (rows % PaymentsGenerator.PROGRESS_INTERVAL != 0 || rows == 0) {
        progress.accept(rows);
      }
      if (parts.isEmpty()) {
        copy(connection, TRANSACTIONS_SELECT, target);
        execute(connection, "DROP TABLE transactions");
      } else {
        // preserve_insertion_order keeps the parts' order, and each part's rows in file order
        copy(connection, "SELECT * FROM read_parquet(["
            + parts.stream().map(p -> literal(p.toAbsolutePath().toString())).collect(Collectors.joining(", "))
            + "])", target);
      }
      return rows;
    } finally {
      for (Path part : parts) {
        Files.deleteIfExists(part);
      }
    }
  }

  private static final String TRANSACTIONS_SELECT =
      "SELECT txn_id, user_id, merchant_id, amount, "
          + Catalog.sqlList(Catalog.CURRENCIES) + "[currency + 1] AS currency, "
          + Catalog.sqlList(Catalog.COUNTRIES) + "[country + 1] AS country, "
          + Catalog.sqlList(Catalog.CHANNELS) + "[channel + 1] AS channel, "
          + "is_fraud, event_ts, created_ts FROM transactions";

  private static long writeUsers(
      DuckDBConnection connection, PaymentsDataset dataset, Population population, Path target)
      throws SQLException, IOException {
    execute(
        connection,
        """
        CREATE TABLE user_profiles (
          user_id BIGINT, signup_ts TIMESTAMP, home_country VARCHAR, risk_segment VARCHAR,
          credit_limit DOUBLE, updated_at TIMESTAMP)""");
    long rows = 0;
    List<UserProfile> profiles = new ArrayList<>();
    try (DuckDBAppender appender = connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "user_profiles")) {
      for (long id = 1; id <= dataset.users(); id++) {
        profiles.clear();
        population.userProfiles(id, profiles::add);
        for (UserProfile p : profiles) {
          appender
              .beginRow()
              .append(p.userId())
              .appendEpochMicros(Population.micros(p.signupTs()))
              .append(p.homeCountry())
              .append(p.riskSegment())
              .append(p.creditLimit())
              .appendEpochMicros(Population.micros(p.updatedAt()))
              .endRow();
          rows++;
        }
      }
    }
    copy(connection, "SELECT * FROM user_profiles", target);
    execute(connection, "DROP TABLE user_profiles");
    return rows;
  }

  private static long writeMerchants(
      DuckDBConnection connection, PaymentsDataset dataset, Population population, Path target)
      throws SQLException, IOException {
    execute(
        connection,
        """
        CREATE TABLE merchant_profiles (
          merchant_id BIGINT, category VARCHAR, country VARCHAR, risk_score DOUBLE,
          updated_at TIMESTAMP)""");
    long rows = 0;
    List<MerchantProfile> profiles = new ArrayList<>();
    try (DuckDBAppender appender =
        connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "merchant_profiles")) {
      for (long id = 1; id <= dataset.merchants(); id++) {
        profiles.clear();
        population.merchantProfiles(id, profiles::add);
        for (MerchantProfile p : profiles) {
          appender
              .beginRow()
              .append(p.merchantId())
              .append(p.category())
              .append(p.country())
              .append(p.riskScore())
              .appendEpochMicros(Population.micros(p.updatedAt()))
              .endRow();
          rows++;
        }
      }
    }
    copy(connection, "SELECT * FROM merchant_profiles", target);
    execute(connection, "DROP TABLE merchant_profiles");
    return rows;
  }

  /** COPYs the query's rows to a temporary file beside the target, then moves it into place. */
  private static void copy(Connection connection, String query, Path target)
      throws SQLException, IOException {
    Path partial = target.resolveSibling("." + target.getFileName() + ".partial");
    try {
      copyTo(connection, query, partial);
      try {
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(partial);
    }
  }

  private static void copyTo(Connection connection, String query, Path file) throws SQLException {
    execute(
        connection,
        "COPY (" + query + ") TO " + literal(file.toAbsolutePath().toString()) + " (FORMAT parquet, COMPRESSION zstd)");
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** A SQL string literal. COPY's target is not globbed, so only quotes need escaping. */
  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // a leftover spill directory in the system temp dir is harmless
    }
  }
}
