package dev.quiver.offline.duckdb;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.spi.SourceFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScansTest {
  @TempDir Path repo;

  @Test
  void quotesPathsForDuckDb() {
    assertThat(Scans.sqlList(List.of(Path.of("/d/it's [a]*?.parquet"), Path.of("/d/b.parquet"))))
        .isEqualTo("['/d/it''s [[]a][*][?].parquet', '/d/b.parquet']");
  }

  /**
   * The files core's {@link SourceFiles} expands a glob to (what the engine reads and what saved
   * datasets fingerprint) are the files DuckDB's own {@code glob()} lists, for every kind of glob.
   */
  @Test
  void sourceFilesExpandGlobsAsDuckDbDoes() throws IOException, SQLException {
    for (String f : List.of("data/a.parquet", "data/b1.parquet", "data/b22.parquet", "data/x/c.parquet",
        "data/x/y/d.parquet", "data/z/e.csv", "data/z/f.parquet", "data/p-1.parquet", "data/p-7.parquet")) {
      Path p = repo.resolve(f);
      Files.createDirectories(p.getParent());
      Files.writeString(p, f);
    }
    List<String> globs = List.of("data/**/*.parquet", "data/**", "data/*.parquet", "data/*/*.parquet", "data/b?.parquet",
        "data/?/?/*.parquet", "*/x/*.parquet", "data/p-[0-3].parquet", "data/p-[!0-3].parquet", "data/**/c.parquet");
    try (Connection c = DuckDbSchemaReader.openInMemory(); Statement s = c.createStatement()) {
      for (String glob : globs) {
        List<String> duckdb = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT file FROM glob(" + Scans.literal(repo.resolve(glob).toString()) + ") ORDER BY file")) {
          while (rs.next()) {
            duckdb.add(Path.of(rs.getString(1)).toString());
          }
        }
        FileSource source = new FileSource("s", glob, FileFormat.PARQUET, "ts", null, null, null);
        List<String> ours = SourceFiles.resolve(source, repo).stream().map(Path::toString).toList();
        assertThat(ours).as(glob).isNotEmpty().isEqualTo(duckdb);
      }
    }
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
