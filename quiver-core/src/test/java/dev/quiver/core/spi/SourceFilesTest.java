package dev.quiver.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.SourceDataException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SourceFilesTest {
  @TempDir Path repo;

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "*.parquet | a.parquet | true",
        "*.parquet | sub/a.parquet | false",
        "*.parquet | a.csv | false",
        "*/*.parquet | day=1/a.parquet | true",
        "**/*.parquet | a.parquet | true",
        "**/*.parquet | x/y/z/a.parquet | true",
        "** | x/y/a.parquet | true",
        "part-?.parquet | part-1.parquet | true",
        "part-?.parquet | part-10.parquet | false",
        "part-[0-3].parquet | part-2.parquet | true",
        "part-[0-3].parquet | part-7.parquet | false",
        "part-[!0-3].parquet | part-7.parquet | true",
        "part-[!0-3].parquet | part-2.parquet | false",
        "x[[]1].parquet | x[1].parquet | true",
        "x[[]1].parquet | x1.parquet | false",
        "a+b (1).parquet* | a+b (1).parquet.gz | true",
        "{a,b}*.csv | {a,b}1.csv | true",
        "{a,b}*.csv | a1.csv | false",
        "a[.csv | a[.csv | true",
      })
  void matchesGlobsLikeDuckDb(String glob, String path, boolean matches) {
    assertThat(SourceFiles.globRegex(glob).matcher(path).matches()).isEqualTo(matches);
  }

  @Test
  void detectsGlobs() {
    assertThat(SourceFiles.isGlob("data/*.parquet")).isTrue();
    assertThat(SourceFiles.isGlob("data/part-?.parquet")).isTrue();
    assertThat(SourceFiles.isGlob("data/[ab].parquet")).isTrue();
    assertThat(SourceFiles.isGlob("data/transactions.parquet")).isFalse();
  }

  /** The tree every expansion below reads: files at the top, one level down and two levels down. */
  private void tree() throws IOException {
    for (String f : List.of("data/a.parquet", "data/b1.parquet", "data/b22.parquet", "data/x/c.parquet",
        "data/x/y/d.parquet", "data/z/e.csv", "data/z/f.parquet", "other/g.parquet")) {
      Path p = repo.resolve(f);
      Files.createDirectories(p.getParent());
      Files.writeString(p, f);
    }
  }

  private List<String> expand(String glob) {
    return SourceFiles.resolve(source(glob), repo).stream().map(p -> SourceFiles.display(p, repo)).toList();
  }

  @Test
  void aDoubleStarMatchesAnyDepthTheTopLevelIncluded() throws IOException {
    tree();
    assertThat(expand("data/**/*.parquet")).containsExactly("data/a.parquet", "data/b1.parquet", "data/b22.parquet",
        "data/x/c.parquet", "data/x/y/d.parquet", "data/z/f.parquet");
    assertThat(expand("data/**")).containsExactly("data/a.parquet", "data/b1.parquet", "data/b22.parquet",
        "data/x/c.parquet", "data/x/y/d.parquet", "data/z/e.csv", "data/z/f.parquet");
    assertThat(expand("**/c.parquet")).containsExactly("data/x/c.parquet");
  }

  @Test
  void aStarAndAQuestionMarkMatchWithinOneLevel() throws IOException {
    tree();
    assertThat(expand("data/*.parquet")).containsExactly("data/a.parquet", "data/b1.parquet", "data/b22.parquet");
    assertThat(expand("data/*/*.parquet")).containsExactly("data/x/c.parquet", "data/z/f.parquet");
    assertThat(expand("data/b?.parquet")).containsExactly("data/b1.parquet");
    assertThat(expand("data/?/?/*.parquet")).containsExactly("data/x/y/d.parquet");
    assertThat(expand("*/x/*.parquet")).containsExactly("data/x/c.parquet");
  }

  @Test
  void filesAreSortedByPathAndShownRelativeToTheRepoWithSlashes() throws IOException {
    tree();
    List<Path> files = SourceFiles.resolve(source("data/**/*.parquet"), repo);
    assertThat(files).isSorted().allMatch(Path::isAbsolute);
    assertThat(SourceFiles.display(repo.resolve("data/x/c.parquet"), repo)).isEqualTo("data/x/c.parquet");
    Path outside = repo.getParent().resolve("elsewhere.parquet").toAbsolutePath();
    assertThat(SourceFiles.display(outside, repo)).isEqualTo(outside.toString());
  }

  @Test
  void aSourceWithoutFilesIsASourceDataProblemNamingTheSourceAndThePath() throws IOException {
    tree();
    assertThatThrownBy(() -> SourceFiles.resolve(source("data/missing.parquet"), repo))
        .isInstanceOfSatisfying(SourceDataException.class, e -> {
          assertThat(e.source()).isEqualTo("txns");
          assertThat(e.file()).isEqualTo("data/missing.parquet");
        })
        .hasMessageContaining("source 'txns': no file matches data/missing.parquet");
    assertThatThrownBy(() -> SourceFiles.resolve(source("nowhere/*.parquet"), repo))
        .isInstanceOf(SourceDataException.class)
        .hasMessageContaining("no file matches nowhere/*.parquet (looked in " + repo.resolve("nowhere") + ")");
    assertThatThrownBy(() -> SourceFiles.resolve("query rows", "q/*.parquet", FileFormat.PARQUET, repo))
        .isInstanceOf(QuiverException.class)
        .isNotInstanceOf(SourceDataException.class)
        .hasMessageContaining("query rows: no file matches q/*.parquet");
  }

  @Test
  void aDirectoryIsADatasetOfItsParquetFilesInSortedPathOrder() throws IOException {
    for (String f : List.of("data/ev/day=2026-01-02/region=us/b.parquet", "data/ev/day=2026-01-02/region=eu/a.parquet",
        "data/ev/day=2026-01-01/region=us/z.parquet", "data/ev/day=10/x.parquet", "data/ev/day=1/x.parquet",
        "data/ev/_SUCCESS", "data/ev/_temporary/0/part.parquet", "data/ev/.part.parquet.crc", "data/ev/.hidden.parquet",
        "data/ev/notes.txt")) {
      Files.createDirectories(repo.resolve(f).getParent());
      Files.writeString(repo.resolve(f), "x");
    }

    List<String> files = SourceFiles.resolve(source("data/ev/"), repo).stream()
        .map(p -> SourceFiles.display(p, repo)).toList();

    assertThat(files).containsExactly("data/ev/day=1/x.parquet", "data/ev/day=10/x.parquet",
        "data/ev/day=2026-01-01/region=us/z.parquet", "data/ev/day=2026-01-02/region=eu/a.parquet",
        "data/ev/day=2026-01-02/region=us/b.parquet");
    assertThat(SourceFiles.resolve(source("data/ev"), repo)).hasSize(5);
    assertThat(SourceFiles.isDataset(source("data/ev"), repo)).isTrue();
    assertThat(SourceFiles.isDataset(source("data/ev/*/x.parquet"), repo)).isFalse();
  }

  @Test
  void anEmptyDatasetOrACsvDirectoryIsNamed() throws IOException {
    Files.createDirectories(repo.resolve("data/empty/day=1"));
    assertThatThrownBy(() -> SourceFiles.resolve(source("data/empty"), repo))
        .isInstanceOf(SourceDataException.class)
        .hasMessage("source 'txns': no .parquet file under data/empty (looked in " + repo.toAbsolutePath().normalize()
            .resolve("data/empty") + ")");
    assertThatThrownBy(() -> SourceFiles.resolve(new FileSource("txns", "data/empty", FileFormat.CSV, "ts", null, null,
        null), repo)).hasMessageContaining("is a directory, read as a Parquet dataset; give format: parquet");
  }

  @Test
  void aSourceThatIsNotLocalHasNoFilesHere() {
    assertThatThrownBy(() -> SourceFiles.resolve(source("s3://lake/events/"), repo))
        .isInstanceOf(SourceDataException.class)
        .hasMessage("source 'txns' is at s3://lake/events/, not files on this machine; an engine that reads it is needed"
            + " (offline: {engine: spark})");
    FileSource iceberg = new FileSource("txns", "db.events", FileFormat.PARQUET, "ts", null, null, null,
        dev.quiver.core.model.TableSettings.DEFAULT.withIceberg(new dev.quiver.core.model.IcebergTable("db.events",
            java.util.Map.of("type", "rest"))));
    assertThatThrownBy(() -> SourceFiles.resolve(iceberg, repo)).hasMessage(
        "source 'txns' is an Iceberg table (db.events), not files on this machine; the Spark engine reads Iceberg tables"
            + " (offline: {engine: spark}; docs/spark.md, \"Table sources\")");
  }

  private static FileSource source(String path) {
    return new FileSource("txns", path, path.endsWith(".csv") ? FileFormat.CSV : FileFormat.PARQUET, "ts", null, null, null);
  }
}
