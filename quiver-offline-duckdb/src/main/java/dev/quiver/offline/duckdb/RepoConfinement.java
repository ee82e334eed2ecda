package dev.quiver.offline.duckdb;

import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.PointInTimePlan;
import dev.quiver.core.offline.QueryInput;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a plan's query SQL may read ({@link DuckDbOfflineEngine}): SQL that may not read external
 * files runs in {@link QuerySql#sandbox}, confined to the feature repo, the sources' files and the
 * files the engine writes.
 */
final class RepoConfinement {
  private RepoConfinement() {}

  /** True when the query is SQL that may read only files inside the repo: it runs in {@link QuerySql#sandbox}. */
  static boolean confined(QueryInput query) {
    return query instanceof QueryInput.Sql sql && !sql.allowExternalFiles();
  }

  /** Every file of the sources. */
  static List<Path> files(Collection<FileSource> sources, Path repoRoot) {
    List<Path> files = new ArrayList<>();
    sources.forEach(source -> files.addAll(Scans.files(source, repoRoot)));
    return files;
  }

  /** Every source a plan reads: the SQL query's tables and the joins' sources. */
  static Set<FileSource> sources(PointInTimePlan plan) {
    Set<FileSource> sources = new LinkedHashSet<>(plan.tables());
    plan.joins().forEach(j -> sources.add(j.source()));
    return sources;
  }

  /**
   * Confines the connection of a plan whose query is SQL to the feature repo (and the files the
   * engine reads and writes), before any of its statements run.
   */
  static void confine(Connection c, PointInTimePlan plan, Path repoRoot, List<Path> written) throws SQLException {
    if (confined(plan.query())) {
      List<Path> files = files(sources(plan), repoRoot);
      files.addAll(written);
      QuerySql.confine(c, repoRoot, files);
    }
  }
}
