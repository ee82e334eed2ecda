package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.offline.QueryInput;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The query rows' SQL is checked with Spark's parser before anything runs (no Spark job). */
class QuerySqlTest {
  @TempDir Path repo;

  private static FileSource source(String name) {
    return new FileSource(name, "data/" + name + ".parquet", FileFormat.PARQUET, "ts", null, Map.of(), Metadata.EMPTY);
  }

  private QuerySql.Checked check(String sql, boolean external) {
    return QuerySql.check(TestSpark.session(), new QueryInput.Sql(sql, external), repo);
  }

  @Test
  void readsTheSourcesItNamesNotItsCtesNorOthers() {
    List<FileSource> sources = List.of(source("events"), source("users"), source("unused"));
    QuerySql.Checked c = check("WITH recent AS (SELECT * FROM Events WHERE ts > now() - INTERVAL 1 DAY)"
        + " SELECT r.user_id, r.ts AS event_timestamp FROM recent r WHERE r.user_id IN (SELECT user_id FROM users);", false);
    assertThat(c.read(sources).stream().map(FileSource::name)).containsExactly("events", "users");
    assertThat(check("VALUES (1, TIMESTAMP'2024-01-01 00:00:00') AS t(user_id, event_timestamp)", false).read(sources)).isEmpty();
  }

  @Test
  void refusesAnythingButOneQuery() {
    for (String sql : List.of("SET spark.sql.ansi.enabled = false", "SELECT 1; SELECT 2", "CREATE TABLE t AS SELECT 1",
        "INSERT INTO events SELECT * FROM events", "ADD JAR /tmp/x.jar", "DROP TABLE events")) {
      assertThatThrownBy(() -> check(sql, true)).as(sql).isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("must be exactly one SELECT in Spark SQL");
    }
  }

  @Test
  void refusesFilesOutsideTheRepoUnlessAllowed() {
    String inside = repo.resolve("data/extra.parquet").toString();
    assertThat(check("SELECT * FROM parquet.`" + inside + "`", false).tables()).isEmpty();
    assertThatThrownBy(() -> check("SELECT * FROM parquet.`/etc/passwd`", false))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("/etc/passwd, outside the feature repo");
    assertThatThrownBy(() -> check("SELECT * FROM csv.`" + repo.resolve("../elsewhere.csv") + "`", false))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("outside the feature repo");
    assertThat(check("SELECT * FROM parquet.`/etc/passwd`", true).tables()).isEmpty();
    assertThatThrownBy(() -> check("SELECT * FROM other_catalog.db.events", true))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("reads table other_catalog.db.events");
  }

  @Test
  void refusesJavaCallsWhateverIsAllowed() {
    assertThatThrownBy(() -> check("SELECT user_id, java_method('java.lang.System', 'exit', 0) AS t FROM events", true))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("java_method, which runs Java methods");
    assertThatThrownBy(() -> check("SELECT * FROM events WHERE user_id IN (SELECT reflect('java.lang.Math', 'abs', -1))", true))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("reflect");
  }
}
