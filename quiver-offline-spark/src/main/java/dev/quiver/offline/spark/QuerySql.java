package dev.quiver.offline.spark;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.offline.QueryInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTableValuedFunction;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import scala.runtime.BoxedUnit;

/**
 * The SQL of query rows ({@link QueryInput.Sql}) in Spark SQL, checked with Spark's own parser before
 * anything runs: it must be exactly one query ({@code SELECT}, {@code WITH ... SELECT}, {@code
 * VALUES}, set operations); any command ({@code SET}, {@code ADD JAR}, {@code CREATE}, {@code INSERT},
 * ...) or a second statement is refused. The parse tree also gives the tables it reads, so only those
 * sources are opened.
 *
 * <p><b>Files inside the repo.</b> Unless the query allows external files, a file it reads directly
 * ({@code parquet.`data/x.parquet`}) must be inside the feature repo, relative paths resolving
 * against the working directory as Spark resolves them; tables of other catalogs and table functions
 * other than generators are refused, and so are {@code reflect}, {@code java_method} and {@code
 * try_reflect} (they call Java methods on the driver and executors) whatever the query allows.
 */
final class QuerySql {
  private static final Set<String> FILE_FORMATS = Set.of("parquet", "csv", "json", "orc", "text", "avro", "binaryfile", "xml");
  private static final Set<String> GENERATORS = Set.of("range", "explode", "explode_outer", "inline", "inline_outer",
      "posexplode", "posexplode_outer", "stack", "json_tuple", "variant_explode", "variant_explode_outer");
  private static final Set<String> CALLS_JAVA = Set.of("reflect", "java_method", "try_reflect");

  private QuerySql() {}

  /** The lower-case names of the tables a checked query reads (and of CTEs it defines, which match no source unless named like one). */
  record Checked(Set<String> tables) {
    List<FileSource> read(List<FileSource> sources) {
      return sources.stream().filter(s -> tables.contains(s.name().toLowerCase(Locale.ROOT))).toList();
    }
  }

  /**
   * Checks the query.
   *
   * @param repoRoot the feature repo, or null to leave the files the query reads unchecked (when only
   *     the tables it reads are wanted)
   * @throws InvalidRequestException naming what is wrong when it is not one query, or reads what it may not
   */
  static Checked check(SparkSession spark, QueryInput.Sql query, Path repoRoot) {
    String text = query.sql().strip();
    while (text.endsWith(";")) {
      text = text.substring(0, text.length() - 1).strip();
    }
    LogicalPlan plan;
    try {
      plan = spark.sessionState().sqlParser().parseQuery(text);
    } catch (Exception e) {
      throw new InvalidRequestException("the query rows' SQL must be exactly one SELECT in Spark SQL (the Spark engine's"
          + " dialect): " + SparkSessions.firstLine(e.getMessage()));
    }
    Set<String> ctes = new HashSet<>();
    Set<String> tables = new HashSet<>();
    List<String> refused = new ArrayList<>();
    walk(plan, query, repoRoot, ctes, tables, refused);
    if (!refused.isEmpty()) {
      throw new InvalidRequestException("the query rows' SQL is refused: " + String.join("; ", refused));
    }
    // a CTE named like a source may read that source: keep the name (reading a superset is correct)
    return new Checked(Set.copyOf(tables));
  }

  /** Visits every node of the plan: subqueries, and the definitions of CTEs (which are not children). */
  private static void walk(LogicalPlan plan, QueryInput.Sql query, Path repoRoot, Set<String> ctes, Set<String> tables,
      List<String> refused) {
    plan.foreachWithSubqueries(node -> {
      if (node instanceof UnresolvedWith with) {
        with.cteRelations().foreach(cte -> {
          ctes.add(cte._1().toLowerCase(Locale.ROOT));
          walk(cte._2(), query, repoRoot, ctes, tables, refused);
          return BoxedUnit.UNIT;
        });
      }
      if (node instanceof UnresolvedRelation r) {
        List<String> parts = scala.jdk.javaapi.CollectionConverters.asJava(r.multipartIdentifier());
        if (parts.size() == 1) {
          tables.add(parts.getFirst().toLowerCase(Locale.ROOT));
        } else if (parts.size() == 2 && FILE_FORMATS.contains(parts.getFirst().toLowerCase(Locale.ROOT))) {
          if (repoRoot != null && !query.allowExternalFiles() && !inside(parts.get(1), repoRoot)) {
            refused.add("it reads " + parts.get(1) + ", outside the feature repo " + repoRoot.toAbsolutePath()
                + " (allow external files to read it)");
          }
        } else {
          refused.add("it reads table " + String.join(".", parts) + "; it may read the project's sources by name and files"
              + " in the feature repo");
        }
      }
      if (node instanceof UnresolvedTableValuedFunction f) {
        List<String> parts = scala.jdk.javaapi.CollectionConverters.asJava(f.name());
        String name = parts.getLast().toLowerCase(Locale.ROOT);
        if (!GENERATORS.contains(name) && !query.allowExternalFiles()) {
          refused.add("it calls the table function " + String.join(".", parts) + " (allow external files to call it)");
        }
      }
      node.expressions().foreach(e -> {
        e.foreach(x -> {
          if (x instanceof UnresolvedFunction fn) {
            List<String> parts = scala.jdk.javaapi.CollectionConverters.asJava(fn.nameParts());
            if (CALLS_JAVA.contains(parts.getLast().toLowerCase(Locale.ROOT))) {
              refused.add("it calls " + parts.getLast() + ", which runs Java methods");
            }
          }
          return BoxedUnit.UNIT;
        });
        return BoxedUnit.UNIT;
      });
      return BoxedUnit.UNIT;
    });
  }

  /** True when the file (as Spark resolves it: against the working directory) is inside the repo, links followed. */
  private static boolean inside(String written, Path repoRoot) {
    if (written.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
      return false; // a URL or a scheme
    }
    Path root = real(repoRoot.toAbsolutePath().normalize());
    Path file = real(Path.of(written).toAbsolutePath().normalize());
    return file.startsWith(root);
  }

  /** The real path of the longest existing prefix, the rest appended. */
  private static Path real(Path p) {
    Path existing = p;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return p;
    }
    try {
      return existing.toRealPath().resolve(existing.relativize(p));
    } catch (java.io.IOException e) {
      return p;
    }
  }

}
