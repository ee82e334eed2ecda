package dev.quiver.offline.duckdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FileSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL of query rows ({@link dev.quiver.core.offline.QueryInput.Sql}) as the engine runs it.
 *
 * <p><b>One SELECT.</b> DuckDB's own parser ({@code json_serialize_sql}, which parses without
 * binding or running anything, and serializes {@code SELECT} statements only) checks the text
 * before anything runs: it must be exactly one {@code SELECT} ({@code WITH ... SELECT}, {@code
 * FROM t}, {@code VALUES}, set operations and {@code DESCRIBE} are SELECTs to DuckDB). A second
 * statement, {@code COPY}, {@code ATTACH}, {@code INSTALL}, {@code LOAD}, {@code PRAGMA}, {@code SET},
 * {@code CREATE}, {@code INSERT} and every other statement are refused, whatever the comments and
 * string literals around them. The parse tree also gives the tables the query names, so only those
 * sources are opened.
 *
 * <p><b>Files inside the repo.</b> Unless the query allows external files, it runs in DuckDB's
 * sandbox ({@link #sandbox}): {@code enable_external_access = false} with {@code
 * allowed_directories} the feature repo and {@code allowed_paths} the files the engine itself
 * reads and writes. DuckDB enforces it on every file access, whatever function or path spelling
 * the query uses ({@code read_csv}, {@code read_json}, {@code glob()}, {@code parquet_scan}, a
 * quoted file name, {@code ../}, a symbolic link leading out, a URL); it cannot be lifted by the
 * connection once set.
 */
final class QuerySql {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DENIED = Pattern.compile("Cannot access (?:file|directory) \"([^\"]*)\"");
  /** What DuckDB says when the sandbox refuses a file. */
  private static final String SANDBOX_REASON = "file system operations are disabled by configuration";
  /** Queries checked recently: a training set's query is checked by plan, describe and render. */
  private static final Map<String, Checked> CHECKED = new ConcurrentHashMap<>();

  private QuerySql() {}

  /**
   * A checked query.
   *
   * @param relation the query as a relation to select from: the text in parentheses, a trailing
   *     {@code ;} removed
   * @param tables the lower-case names of the tables it reads (or CTEs it defines)
   */
  record Checked(String relation, Set<String> tables) {
    /** The sources, out of {@code sources}, that the query names. */
    List<FileSource> read(List<FileSource> sources) {
      return sources.stream().filter(s -> tables.contains(s.name().toLowerCase(Locale.ROOT))).toList();
    }
  }

  /**
   * Checks that {@code sql} is exactly one SELECT, with DuckDB's parser, on a connection of its own.
   *
   * @throws InvalidRequestException naming the problem when it is not
   */
  static Checked check(String sql) {
    Checked known = CHECKED.get(sql);
    if (known != null) {
      return known;
    }
    Checked checked = parse(sql);
    if (CHECKED.size() >= 64) {
      CHECKED.clear();
    }
    CHECKED.put(sql, checked);
    return checked;
  }

  private static Checked parse(String sql) {
    try (Connection c = DuckDbSchemaReader.openInMemory()) {
      JsonNode parsed = serialize(c, sql);
      JsonNode statements = parsed.path("statements");
      if (parsed.path("error").asBoolean()) {
        String reason = parsed.path("error_message").asText();
        if ("parser".equals(parsed.path("error_type").asText())) {
          throw refused("is not valid SQL: " + reason);
        }
        throw refused("must be one SELECT statement (WITH ... SELECT is fine)" + notASelect(sql)
            + "; other statements (COPY, ATTACH, INSTALL, LOAD, PRAGMA, SET, CREATE, INSERT, ...) are refused");
      }
      if (statements.isEmpty()) {
        throw refused("is empty; give one SELECT statement");
      }
      if (statements.size() > 1) {
        throw refused("must be one SELECT statement, but it has " + statements.size()
            + " statements separated by ';'; keep one (combine them with UNION ALL or WITH ... SELECT)");
      }
      Set<String> tables = new HashSet<>();
      collectTables(statements.get(0), tables);
      return new Checked(relation(c, sql), Set.copyOf(tables));
    } catch (SQLException e) {
      throw new QuiverException("cannot check the query SQL with DuckDB's parser: " + DuckDbSchemaReader.reason(e.getMessage()), e);
    }
  }

  private static InvalidRequestException refused(String problem) {
    return new InvalidRequestException("the query SQL (--query-sql) " + problem);
  }

  private static JsonNode serialize(Connection c, String sql) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT json_serialize_sql(?::VARCHAR)")) {
      s.setString(1, sql);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return JSON.readTree(rs.getString(1));
      }
    } catch (IOException e) {
      throw new QuiverException("DuckDB's parser gave output that is not JSON: " + e.getMessage(), e);
    }
  }

  /** The names of every table the parse tree reads ({@code BASE_TABLE} nodes), lower-case. */
  private static void collectTables(JsonNode node, Set<String> out) {
    if (node.isObject()) {
      if ("BASE_TABLE".equals(node.path("type").asText())) {
        out.add(node.path("table_name").asText().toLowerCase(Locale.ROOT));
      }
      node.forEach(child -> collectTables(child, out));
    } else if (node.isArray()) {
      node.forEach(child -> collectTables(child, out));
    }
  }

  /**
   * The query in parentheses, ready to select from. A trailing {@code ;} (with comments after it)
   * would break the parentheses: it is cut at the last {@code ;} after which DuckDB finds nothing but
   * comments and white space, and before which the wrapped text parses.
   */
  private static String relation(Connection c, String sql) throws SQLException {
    String wrapped = "(" + sql + "\n)";
    if (wraps(c, wrapped)) {
      return wrapped;
    }
    for (int i = sql.lastIndexOf(';'); i >= 0; i = sql.lastIndexOf(';', i - 1)) {
      JsonNode tail = serialize(c, sql.substring(i + 1));
      String head = "(" + sql.substring(0, i) + "\n)";
      if (!tail.path("error").asBoolean() && tail.path("statements").isEmpty() && wraps(c, head)) {
        return head;
      }
    }
    return wrapped; // DuckDB will say what is wrong when it runs
  }

  private static boolean wraps(Connection c, String relation) throws SQLException {
    JsonNode parsed = serialize(c, "SELECT * FROM " + relation);
    return !parsed.path("error").asBoolean() && parsed.path("statements").size() == 1;
  }

  /**
   * For the message only (DuckDB's parser made the decision): the first word of the first statement
   * that does not start like a SELECT, found by skipping white space, comments and quoted text.
   */
  static String notASelect(String sql) {
    Set<String> selects = Set.of("SELECT", "WITH", "FROM", "VALUES", "TABLE", "DESCRIBE", "SUMMARIZE", "SHOW", "(");
    for (String word : statementStarts(sql)) {
      if (!selects.contains(word)) {
        return ", not " + word;
      }
    }
    return ", but DuckDB parses a statement in it that is not a SELECT";
  }

  /** The first word of each statement, upper-case. */
  private static List<String> statementStarts(String sql) {
    List<String> words = new ArrayList<>();
    boolean start = true;
    int n = sql.length();
    int i = 0;
    while (i < n) {
      char ch = sql.charAt(i);
      if (Character.isWhitespace(ch)) {
        i++;
      } else if (sql.startsWith("--", i)) {
        int end = sql.indexOf('\n', i);
        i = end < 0 ? n : end + 1;
      } else if (sql.startsWith("/*", i)) {
        int end = sql.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
      } else if (ch == '\'' || ch == '"') {
        int j = i + 1;
        while (j < n && !(sql.charAt(j) == ch && (j + 1 >= n || sql.charAt(j + 1) != ch))) {
          j += sql.charAt(j) == ch ? 2 : 1;
        }
        i = j + 1;
        start = false;
      } else if (ch == ';') {
        start = true;
        i++;
      } else {
        int j = i;
        while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
          j++;
        }
        if (start) {
          words.add(j == i ? String.valueOf(ch) : sql.substring(i, j).toUpperCase(Locale.ROOT));
          start = false;
        }
        i = Math.max(j, i + 1);
      }
    }
    return words;
  }

  /**
   * The statements that confine a connection to the feature repo: afterwards it reads and writes
   * only files inside {@code repoRoot} and the {@code files} listed (the sources' files that lie
   * outside it, the output being written), and loads no extension. DuckDB refuses to undo them.
   */
  static List<String> sandbox(Path repoRoot, Collection<Path> files) {
    Set<String> directories = new LinkedHashSet<>();
    for (Path dir : forms(repoRoot)) {
      directories.add(dir.toString().endsWith("/") ? dir.toString() : dir + "/");
    }
    Set<String> paths = new LinkedHashSet<>();
    for (Path file : files) {
      for (Path p : forms(file)) {
        paths.add(p.toString());
      }
    }
    return List.of(
        "SET allowed_directories = " + list(directories),
        "SET allowed_paths = " + list(paths),
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        "SET enable_external_access = false");
  }

  /** Runs {@link #sandbox} on {@code c}. */
  static void confine(Connection c, Path repoRoot, Collection<Path> files) throws SQLException {
    try (Statement s = c.createStatement()) {
      for (String statement : sandbox(repoRoot, files)) {
        s.execute(statement);
      }
    }
  }

  /**
   * The path as written (absolute) and as the file system resolves it (symbolic links followed; for
   * a file not written yet, its folder's), since DuckDB may compare either.
   */
  private static Set<Path> forms(Path path) {
    Path abs = path.toAbsolutePath().normalize();
    Set<Path> out = new LinkedHashSet<>(List.of(abs));
    try {
      if (Files.exists(abs)) {
        out.add(abs.toRealPath());
      } else if (abs.getParent() != null && Files.exists(abs.getParent())) {
        out.add(abs.getParent().toRealPath().resolve(abs.getFileName()));
      }
    } catch (IOException e) {
      // unreadable: the path as written is all DuckDB can use either
    }
    return out;
  }

  private static String list(Collection<String> items) {
    StringBuilder sql = new StringBuilder("[");
    for (String item : items) {
      sql.append(sql.length() == 1 ? "" : ", ").append(Scans.literal(item));
    }
    return sql.append(']').toString();
  }

  /**
   * The sandbox's refusal as a request error naming the file, or null when {@code e} is not one.
   */
  static InvalidRequestException outsideRepo(SQLException e, Path repoRoot) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    if (!message.contains(SANDBOX_REASON)) {
      return null;
    }
    Matcher m = DENIED.matcher(message);
    String file = m.find() ? m.group(1) : "a file";
    return new InvalidRequestException("the query SQL (--query-sql) reads " + file + ", which is outside the feature repo ("
        + repoRoot.toAbsolutePath().normalize() + "): a query reads the sources' tables and files inside the repo;"
        + " to read files elsewhere (other folders, URLs), pass --allow-external-files", e);
  }
}
