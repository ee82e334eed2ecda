package dev.quiver.datagen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetOutputTest {

  @TempDir Path repo;

  @Test
  void writesTheSameRowsAsTheStreamsWithTheDocumentedSchema() throws Exception {
    PaymentsGenerator generator = new PaymentsGenerator(PaymentsDataset.of(11, 20_000));
    Path data = repo.resolve("data");

    RowCounts counts = generator.writeParquet(data);

    List<Transaction> expected = generator.transactions().toList();
    List<UserProfile> users = generator.userProfiles().toList();
    List<MerchantProfile> merchants = generator.merchantProfiles().toList();
    assertThat(counts).isEqualTo(new RowCounts(20_000, users.size(), merchants.size()));
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:")) {
      assertThat(describe(duckdb, data.resolve("transactions.parquet")))
          .containsExactly(
              "txn_id BIGINT", "user_id BIGINT", "merchant_id BIGINT", "amount DOUBLE",
              "currency VARCHAR", "country VARCHAR", "channel VARCHAR", "is_fraud BOOLEAN",
              "event_ts TIMESTAMP", "created_ts TIMESTAMP");
      assertThat(describe(duckdb, data.resolve("user_profiles.parquet")))
          .containsExactly(
              "user_id BIGINT", "signup_ts TIMESTAMP", "home_country VARCHAR",
              "risk_segment VARCHAR", "credit_limit DOUBLE", "updated_at TIMESTAMP");
      assertThat(describe(duckdb, data.resolve("merchant_profiles.parquet")))
          .containsExactly(
              "merchant_id BIGINT", "category VARCHAR", "country VARCHAR", "risk_score DOUBLE",
              "updated_at TIMESTAMP");
      assertThat(readTransactions(duckdb, data.resolve("transactions.parquet"))).isEqualTo(expected);
      assertThat(count(duckdb, data.resolve("user_profiles.parquet"))).isEqualTo(users.size());
      assertThat(count(duckdb, data.resolve("merchant_profiles.parquet"))).isEqualTo(merchants.size());
      assertThat(firstUser(duckdb, data.resolve("user_profiles.parquet"))).isEqualTo(users.get(0));
    }
    try (Stream<Path> files = Files.list(data)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("transactions.parquet", "user_profiles.parquet", "merchant_profiles.parquet");
    }
  }

  @Test
  void chunkedWritesGiveTheSameRowsInTheSameOrderAndLeaveNoParts() throws Exception {
    PaymentsDataset dataset = PaymentsDataset.of(13, 25_000);
    List<Transaction> expected = new PaymentsGenerator(dataset).transactions().toList();
    // 7,000 leaves a short last chunk; 5,000 divides the rows exactly (an empty last part)
    for (long chunk : new long[] {7_000, 5_000, 25_000}) {
      Path data = repo.resolve("chunks-" + chunk);
      List<Long> reports = new ArrayList<>();

      RowCounts counts = ParquetOutput.write(dataset, new Population(dataset), data, reports::add, chunk);

      assertThat(counts.transactions()).isEqualTo(25_000);
      assertThat(reports).containsExactly(25_000L);
      try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:")) {
        assertThat(readTransactions(duckdb, data.resolve("transactions.parquet"))).as("chunk %d", chunk).isEqualTo(expected);
        assertThat(describe(duckdb, data.resolve("transactions.parquet"))).contains("currency VARCHAR", "event_ts TIMESTAMP");
      }
      try (Stream<Path> files = Files.list(data)) {
        assertThat(files.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("transactions.parquet", "user_profiles.parquet", "merchant_profiles.parquet");
      }
    }
  }

  @Test
  void anInterruptedChunkedWriteLeavesNoParts() {
    PaymentsDataset dataset = PaymentsDataset.of(1, 300_000);

    try {
      assertThatThrownBy(() -> ParquetOutput.write(dataset, new Population(dataset), repo,
              rows -> Thread.currentThread().interrupt(), 100_000))
          .isInstanceOf(QuiverException.class)
          .hasMessage("datagen: interrupted after 200000 transactions; nothing was written");
    } finally {
      Thread.interrupted();
    }
    assertThat(repo.toFile().list()).isEmpty();
  }

  @Test
  void reportsProgressEveryHundredThousandRowsAndAtTheEnd() {
    List<Long> reports = new ArrayList<>();

    new PaymentsGenerator(PaymentsDataset.of(5, 250_000)).writeParquet(repo, reports::add);

    assertThat(reports).containsExactly(100_000L, 200_000L, 250_000L);
  }

  @Test
  void replacesExistingFilesAndWritesEmptyDatasets() throws Exception {
    new PaymentsGenerator(PaymentsDataset.of(5, 1_000)).writeParquet(repo);
    List<Long> reports = new ArrayList<>();

    RowCounts counts = new PaymentsGenerator(PaymentsDataset.of(5, 0)).writeParquet(repo, reports::add);

    assertThat(counts.transactions()).isZero();
    assertThat(reports).containsExactly(0L);
    try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:")) {
      assertThat(count(duckdb, repo.resolve("transactions.parquet"))).isZero();
      assertThat(count(duckdb, repo.resolve("user_profiles.parquet"))).isEqualTo(counts.userProfiles());
    }
  }

  @Test
  void namesTheDirectoryWhenItCannotWrite() throws Exception {
    Path notADirectory = Files.writeString(repo.resolve("data"), "a file");

    assertThatThrownBy(() -> new PaymentsGenerator(PaymentsDataset.of(5, 10)).writeParquet(notADirectory))
        .isInstanceOf(QuiverException.class)
        .hasMessageStartingWith("datagen: cannot write the payments data to " + notADirectory.toAbsolutePath());
  }

  @Test
  void anInterruptedWriteStopsWithoutWritingFiles() {
    PaymentsGenerator generator = new PaymentsGenerator(PaymentsDataset.of(1, 300_000));

    try {
      assertThatThrownBy(() -> generator.writeParquet(repo, rows -> Thread.currentThread().interrupt()))
          .isInstanceOf(QuiverException.class)
          .hasMessage("datagen: interrupted after 200000 transactions; nothing was written");
    } finally {
      Thread.interrupted(); // clear the flag for the next test
    }
    assertThat(repo.resolve(PaymentsGenerator.TRANSACTIONS_FILE)).doesNotExist();
  }

  private static List<String> describe(Connection duckdb, Path file) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (Statement s = duckdb.createStatement();
        ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM read_parquet(" + literal(file) + ")")) {
      while (rs.next()) {
        columns.add(rs.getString("column_name") + " " + rs.getString("column_type"));
      }
    }
    return columns;
  }

  private static long count(Connection duckdb, Path file) throws SQLException {
    try (Statement s = duckdb.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM read_parquet(" + literal(file) + ")")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<Transaction> readTransactions(Connection duckdb, Path file) throws SQLException {
    List<Transaction> rows = new ArrayList<>();
    try (Statement s = duckdb.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT * FROM read_parquet(" + literal(file) + ") ORDER BY file_row_number")) {
      while (rs.next()) {
        rows.add(
            new Transaction(
                rs.getLong("txn_id"),
                rs.getLong("user_id"),
                rs.getLong("merchant_id"),
                rs.getDouble("amount"),
                rs.getString("currency"),
                rs.getString("country"),
                rs.getString("channel"),
                rs.getBoolean("is_fraud"),
                rs.getObject("event_ts", LocalDateTime.class).toInstant(ZoneOffset.UTC),
                rs.getObject("created_ts", LocalDateTime.class).toInstant(ZoneOffset.UTC)));
      }
    }
    return rows;
  }

  private static UserProfile firstUser(Connection duckdb, Path file) throws SQLException {
    try (Statement s = duckdb.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM read_parquet(" + literal(file) + ") LIMIT 1")) {
      rs.next();
      return new UserProfile(
          rs.getLong("user_id"),
          rs.getObject("signup_ts", LocalDateTime.class).toInstant(ZoneOffset.UTC),
          rs.getString("home_country"),
          rs.getString("risk_segment"),
          rs.getDouble("credit_limit"),
          rs.getObject("updated_at", LocalDateTime.class).toInstant(ZoneOffset.UTC));
    }
  }

  private static String literal(Path file) {
    return "'" + file.toAbsolutePath().toString().replace("'", "''") + "'";
  }
}
