package dev.quiver.testkit;

import static dev.quiver.testkit.TrainingSetRows.QUERY_COLUMNS;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ViewBuilder;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.PointInTimePlan.Column;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.PointInTimePlanner;
import dev.quiver.core.offline.QueryInput;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Bad requests fail with a {@link QuiverException} whose message says what to fix, before any
 * source is read (their sources do not exist): query rows without a timestamp column or with one
 * that holds no timestamps, a named timestamp column the query lacks, reserved column names, key
 * columns missing or of another type, unknown features and views, and a query file that cannot be
 * read (named in the message).
 *
 * <p>An implementation provides nothing beyond {@link OfflineEngineContract}'s engine and Parquet
 * writer; {@link dev.quiver.core.offline.OfflineEngine#describe} must check the query before
 * reading sources.
 */
public interface RequestCheckContract extends OfflineContractPart {
  @Test
  default void rejectsAQueryWithoutATimestampColumn() {
    writeQuery(List.of(new Column("user_id", ScalarType.INT64), new Column("label", ScalarType.INT32)));
    assertThatThrownBy(() -> planOnly(request("user_stats:amount")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("the query rows need a timestamp column")
        .hasMessageContaining("--timestamp-column");
  }

  @Test
  default void rejectsQueryColumnsWithReservedNames() {
    for (String reserved : List.of("rowid", "ROWID", "__quiver_qrow")) {
      writeQuery(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP),
          new Column(reserved, ScalarType.INT64)));
      assertThatThrownBy(() -> planOnly(request("user_stats:amount")))
          .as(reserved)
          .isInstanceOf(QuiverException.class)
          .hasMessageContaining("query column '" + reserved + "' uses a name Quiver reserves")
          .hasMessageContaining("rename it");
    }
  }

  @Test
  default void rejectsANamedTimestampColumnTheQueryLacks() {
    writeQuery(QUERY_COLUMNS);
    assertThatThrownBy(() -> planOnly(request("user_stats:amount").withTimestampColumn("evnt_timestamp")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("no column 'evnt_timestamp'")
        .hasMessageContaining("event_timestamp");
  }

  @Test
  default void rejectsATimestampColumnThatHoldsNoTimestamps() {
    writeQuery(List.of(new Column("user_id", ScalarType.INT64), new Column("event_timestamp", ScalarType.STRING)));
    assertThatThrownBy(() -> planOnly(request("user_stats:amount")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("'event_timestamp' must hold timestamps but is string");
  }

  @Test
  default void rejectsAQueryKeyColumnOfAnotherType() {
    writeQuery(List.of(new Column("user_id", ScalarType.STRING), new Column("event_timestamp", ScalarType.TIMESTAMP)));
    assertThatThrownBy(() -> planOnly(request("user_stats:amount")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("query column 'user_id' is string but join key 'user_id' of entity 'user' is int64")
        .hasMessageContaining("cast");
  }

  @Test
  default void rejectsAQueryWithoutAJoinKeyColumn() {
    writeQuery(List.of(new Column("uid", ScalarType.INT64), new Column("event_timestamp", ScalarType.TIMESTAMP)));
    assertThatThrownBy(() -> planOnly(request("user_stats:amount")))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("need column 'user_id'")
        .hasMessageContaining("entity 'user'");
  }

  @Test
  default void rejectsAnUnknownFeature() {
    writeQuery(QUERY_COLUMNS);
    assertThatThrownBy(() -> planOnly(request("user_stats:amout")))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("has no feature 'amout'")
        .hasMessageContaining("amount");
  }

  @Test
  default void rejectsAnUnknownView() {
    writeQuery(QUERY_COLUMNS);
    assertThatThrownBy(() -> planOnly(request("user_stat:amount")))
        .isInstanceOf(NotFoundException.class)
        .hasMessageContaining("no feature view 'user_stat'")
        .hasMessageContaining("user_stats");
  }

  @Test
  default void rejectsAnUnreadableQueryNamingIt() {
    Path missing = repo().resolve("no-such-query.parquet");
    QueryInput query = new QueryInput.Files(missing.toString(), FileFormat.PARQUET);
    assertThatThrownBy(() -> underTest().engine().describe(query, List.of(), repo()))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("no-such-query.parquet");
  }

  /** Typed definitions whose source files do not exist: planning must not need them. */
  private static Definitions unreadableDefinitions() {
    FileSource events = new FileSource("events", "no-such-dir/*.parquet", FileFormat.PARQUET, "event_ts", null, Map.of(), Metadata.EMPTY);
    return Definitions.builder("contract")
        .entity("user", "user_id", ScalarType.INT64)
        .source(events)
        .view(ViewBuilder.named("user_stats").entities("user").source("events")
            .feature(new ColumnFeature("amount", "amount", ScalarType.FLOAT64, ""))
            .feature(new ColumnFeature("country", "country", ScalarType.STRING, "")))
        .build();
  }

  private void writeQuery(List<Column> columns) {
    Object[] row = new Object[columns.size()];
    underTest().writeTable(repo().resolve("query.parquet"), columns, List.<Object[]>of(row));
  }

  private HistoricalRequest request(String... refs) {
    QueryInput query = new QueryInput.Files(repo().resolve("query.parquet").toString(), FileFormat.PARQUET);
    return HistoricalRequest.ofFeatures(query, Arrays.stream(refs).map(FeatureRef::of).toList());
  }

  private PointInTimePlan planOnly(HistoricalRequest request) {
    Definitions defs = unreadableDefinitions();
    List<FileSource> tables = defs.sources().stream().map(s -> (FileSource) s).toList();
    return PointInTimePlanner.plan(defs, 1, request, underTest().engine().describe(request.query(), tables, repo()));
  }
}
