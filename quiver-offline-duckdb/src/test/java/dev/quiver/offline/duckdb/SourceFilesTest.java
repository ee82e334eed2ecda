package dev.quiver.offline.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SourceFilesTest {

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
  void quotesPathsForDuckDb() {
    assertThat(SourceFiles.sqlList(List.of(Path.of("/d/it's [a]*?.parquet"), Path.of("/d/b.parquet"))))
        .isEqualTo("['/d/it''s [[]a][*][?].parquet', '/d/b.parquet']");
  }

  @Test
  void detectsGlobs() {
    assertThat(SourceFiles.isGlob("data/*.parquet")).isTrue();
    assertThat(SourceFiles.isGlob("data/part-?.parquet")).isTrue();
    assertThat(SourceFiles.isGlob("data/[ab].parquet")).isTrue();
    assertThat(SourceFiles.isGlob("data/transactions.parquet")).isFalse();
  }

  @Test
  void reasonKeepsTheCauseAndDropsTheEchoedSql() {
    assertThat(
            DuckDbSchemaReader.reason(
                "Invalid Input Error: No magic bytes found at end of file '/x.parquet'\n\n"
                    + "LINE 1: DESCRIBE SELECT * FROM read_parquet(['/x.parquet'])\n      ^^^^"))
        .isEqualTo("Invalid Input Error: No magic bytes found at end of file '/x.parquet'");
    assertThat(
            DuckDbSchemaReader.reason(
                "Invalid Input Error: CSV Error on Line: 2\nOriginal Line: PAR1\u0000\n"
                    + "Invalid unicode (byte sequence mismatch) detected.\n\nPossible Solution: x"))
        .isEqualTo(
            "Invalid Input Error: CSV Error on Line: 2 Invalid unicode (byte sequence mismatch) detected.");
  }
}
