package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.OfflineEngine;
import dev.quiver.core.offline.PointInTimePlan.Column;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The behaviour every {@link OfflineEngine} must have for {@link OfflineEngine#appendToSource} (offline
 * pushes): a new file beside the source's others, with their columns and types, values read back
 * unchanged; anything wrong refused with an {@link InvalidRequestException} and nothing written.
 * An engine's test extends this class like {@link OfflineEngineContract}.
 */
public abstract class SourceAppendContract {
  private static final List<Column> COLUMNS = List.of(
      new Column("user_id", ScalarType.INT64),
      new Column("event_ts", ScalarType.TIMESTAMP),
      new Column("amount", ScalarType.FLOAT64),
      new Column("small", ScalarType.INT32),
      new Column("country", ScalarType.STRING),
      new Column("vip", ScalarType.BOOL),
      new Column("blob", ScalarType.BYTES),
      new Column("tags", new ListType(ScalarType.STRING)),
      new Column("scores", new ListType(ScalarType.FLOAT32)));
  private static final Instant T = Instant.parse("2026-03-01T12:00:00.123456Z");

  @TempDir Path repo;
  private OfflineEngine engine;

  /** A new engine; called once per test and closed after it. */
  protected abstract OfflineEngine engine();

  /** Writes one Parquet file with exactly these columns and types (see {@link OfflineEngineContract}). */
  protected abstract void writeTable(Path file, List<Column> columns, List<Object[]> rows);

  @BeforeEach
  final void open() throws IOException {
    engine = engine();
    Files.createDirectories(repo.resolve("data/txns"));
    List<Object[]> rows = new ArrayList<>();
    rows.add(new Object[] {1L, T.minusSeconds(60), 1.5, 7, "FR", true, new byte[] {1}, List.of("a"), List.of(0.5f)});
    writeTable(repo.resolve("data/txns/part-0.parquet"), COLUMNS, rows);
  }

  @AfterEach
  final void close() {
    engine.close();
  }

  private static FileSource source(String path) {
    return new FileSource("txns", path, FileFormat.PARQUET, "event_ts", null, Map.of(), null);
  }

  @Test
  @SuppressWarnings("unchecked")
  void appendsAFileTheGlobMatchesWithTheSameColumnsAndTypes() {
    Object[] row = {2L, T, 2.25, 9, "DE", false, new byte[] {0, -1}, Arrays.asList("x", null), List.of(1.5f, -2f)};
    Path file = engine.appendToSource(source("data/txns/*.parquet"), repo, COLUMNS.stream().map(Column::name).toList(),
        List.<Object[]>of(row));
    assertThat(file.getParent()).isEqualTo(repo.resolve("data/txns"));
    assertThat(file.getFileName().toString()).endsWith(".parquet");
    try (HistoricalRows rows = engine.read(file, FileFormat.PARQUET)) {
      assertThat(rows.columns()).isEqualTo(COLUMNS);
      Object[] back = rows.next();
      assertThat(back[0]).isEqualTo(2L);
      assertThat(back[1]).isEqualTo(T);
      assertThat(back[2]).isEqualTo(2.25);
      assertThat(back[3]).isEqualTo(9);
      assertThat(back[4]).isEqualTo("DE");
      assertThat(back[5]).isEqualTo(false);
      assertThat((byte[]) back[6]).containsExactly(0, -1);
      assertThat((List<Object>) back[7]).containsExactly("x", null);
      assertThat((List<Object>) back[8]).containsExactly(1.5f, -2f);
      assertThat(rows.hasNext()).isFalse();
    }
    assertThat(files()).hasSize(2);
  }

  @Test
  void columnsNotGivenAreNull() {
    Path file = engine.appendToSource(source("data/txns/*.parquet"), repo, List.of("event_ts", "user_id"),
        List.<Object[]>of(new Object[] {T, 3L}));
    try (HistoricalRows rows = engine.read(file, FileFormat.PARQUET)) {
      Object[] back = rows.next();
      assertThat(back[0]).isEqualTo(3L);
      assertThat(back[1]).isEqualTo(T);
      assertThat(Arrays.asList(back).subList(2, back.length)).containsOnlyNulls();
    }
  }

  @Test
  void appendsUnderTheNameGivenAndRefusesANameTaken() {
    String name = "p00001-o00000000000000000007-00000000000000000009.parquet";
    Path file = engine.appendToSource(source("data/txns/*.parquet"), repo, name, List.of("event_ts", "user_id"),
        List.<Object[]>of(new Object[] {T, 3L}));
    assertThat(file).isEqualTo(repo.resolve("data/txns").resolve(name));
    try (HistoricalRows rows = engine.read(file, FileFormat.PARQUET)) {
      assertThat(rows.next()[0]).isEqualTo(3L);
    }
    assertThatThrownBy(() -> engine.appendToSource(source("data/txns/*.parquet"), repo, name, List.of("user_id"),
        List.<Object[]>of(new Object[] {4L})))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining(name);
    assertThatThrownBy(() -> engine.appendToSource(source("data/txns/*.parquet"), repo, "../escape.parquet", List.of("user_id"),
        List.<Object[]>of(new Object[] {4L})))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(files()).hasSize(2);
  }

  @Test
  void refusesASingleFileSource() {
    assertThatThrownBy(() -> engine.appendToSource(source("data/txns/part-0.parquet"), repo, List.of("user_id"),
        List.<Object[]>of(new Object[] {1L})))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("must end in a file-name glob");
    assertThat(files()).hasSize(1);
  }

  @Test
  void refusesAnUnknownColumnAndWritesNothing() {
    assertThatThrownBy(() -> engine.appendToSource(source("data/txns/*.parquet"), repo, List.of("user_id", "colour"),
        List.<Object[]>of(new Object[] {1L, "red"})))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("no column 'colour'")
        .hasMessageContaining("user_id, event_ts");
    assertThat(files()).hasSize(1);
  }

  @Test
  void refusesAValueThatDoesNotFitAndWritesNothing() {
    List<Object[]> rows = new ArrayList<>();
    rows.add(new Object[] {4L, T});
    rows.add(new Object[] {"not a number", T});
    assertThatThrownBy(() -> engine.appendToSource(source("data/txns/*.parquet"), repo, List.of("user_id", "event_ts"), rows))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("row 1");
    assertThat(files()).hasSize(1);
  }

  @Test
  void refusesASourceWithoutFilesToTakeItsColumnsFrom() throws IOException {
    Files.createDirectories(repo.resolve("data/empty"));
    assertThatThrownBy(() -> engine.appendToSource(new FileSource("empty", "data/empty/*.parquet", FileFormat.PARQUET,
        "event_ts", null, Map.of(), null), repo, List.of("user_id"), List.<Object[]>of(new Object[] {1L})))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("has no files yet");
  }

  private List<Path> files() {
    try (Stream<Path> s = Files.list(repo.resolve("data/txns"))) {
      return s.toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
