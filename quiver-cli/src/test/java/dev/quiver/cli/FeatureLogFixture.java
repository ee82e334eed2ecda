package dev.quiver.cli;

import dev.quiver.core.model.ValueType;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.OnlineResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Writes what a feature service served in the feature-log schema (docs/monitoring.md, "Feature
 * logging"): {@code <logs>/<service>/date=YYYY-MM-DD/part-<epochMillis>-<seq>.parquet}, columns
 * {@code request_id, served_at, registry_version, service, service_version}, the entity keys, the
 * request data, then per feature {@code view__feature} and {@code view__feature__status}; one row per
 * entity row. Built from real online answers, with DuckDB's {@code COPY ... TO}, as the feature
 * logger writes them.
 */
final class FeatureLogFixture {
  /** One served request: the answer, with the request data sent and the time the server read at. */
  record Served(String requestId, Instant servedAt, long registryVersion, int serviceVersion, OnlineResponse response,
      Map<String, List<Object>> requestData) {}

  private final List<Served> served = new ArrayList<>();

  void add(Served s) {
    served.add(s);
  }

  List<Served> served() {
    return served;
  }

  /** Writes one file per served date. Every request must have the same keys, request data and features. */
  void write(Path logs, String service, Map<String, String> keyTypes, Map<String, String> requestTypes) throws Exception {
    Map<LocalDate, List<Served>> byDate = new TreeMap<>();
    served.forEach(s -> byDate.computeIfAbsent(LocalDate.ofInstant(s.servedAt(), ZoneOffset.UTC), d -> new ArrayList<>()).add(s));
    int seq = 0;
    for (var e : byDate.entrySet()) {
      Path dir = logs.resolve(service).resolve("date=" + e.getKey());
      Files.createDirectories(dir);
      Path file = dir.resolve("part-" + e.getValue().getFirst().servedAt().toEpochMilli() + "-" + seq++ + ".parquet");
      writeFile(file, service, e.getValue(), keyTypes, requestTypes);
    }
  }

  private static void writeFile(Path file, String service, List<Served> requests, Map<String, String> keyTypes,
      Map<String, String> requestTypes) throws Exception {
    List<FeatureColumn> features = requests.getFirst().response().features();
    Map<String, String> columns = new LinkedHashMap<>();
    columns.put("request_id", "VARCHAR");
    columns.put("served_at", "TIMESTAMP");
    columns.put("registry_version", "INTEGER");
    columns.put("service", "VARCHAR");
    columns.put("service_version", "INTEGER");
    columns.putAll(keyTypes);
    columns.putAll(requestTypes);
    for (FeatureColumn f : features) {
      columns.put(f.name(), sqlType(f.type()));
      columns.put(f.name() + "__status", "VARCHAR");
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      StringBuilder ddl = new StringBuilder("CREATE TABLE log (");
      columns.forEach((n, t) -> ddl.append(ddl.charAt(ddl.length() - 1) == '(' ? "" : ", ").append('"').append(n).append("\" ").append(t));
      s.execute(ddl.append(')').toString());
      try (DuckDBAppender a = c.unwrap(DuckDBConnection.class).createAppender(DuckDBConnection.DEFAULT_SCHEMA, "log")) {
        for (Served r : requests) {
          OnlineResponse resp = r.response();
          for (int i = 0; i < resp.rows(); i++) {
            a.beginRow();
            a.append(r.requestId());
            a.appendEpochMicros(r.servedAt().getEpochSecond() * 1_000_000 + r.servedAt().getNano() / 1000);
            a.append((int) r.registryVersion());
            a.append(service);
            a.append(r.serviceVersion());
            for (String k : keyTypes.keySet()) {
              append(a, resp.entities().get(k).get(i));
            }
            for (String k : requestTypes.keySet()) {
              append(a, r.requestData().get(k).get(i));
            }
            for (FeatureColumn f : resp.features()) {
              append(a, f.values().get(i));
              a.append(f.statuses().get(i).name());
            }
            a.endRow();
          }
        }
      }
      Path temp = file.resolveSibling("." + file.getFileName() + ".tmp");
      s.execute("COPY log TO '" + temp + "' (FORMAT parquet)");
      Files.move(temp, file);
    }
  }

  private static void append(DuckDBAppender a, Object v) throws Exception {
    switch (v) {
      case null -> a.appendNull();
      case Long l -> a.append((long) l);
      case Integer n -> a.append((int) n);
      case Double d -> a.append((double) d);
      case Float f -> a.append((float) f);
      case Boolean b -> a.append((boolean) b);
      case String s -> a.append(s);
      default -> throw new IllegalArgumentException("the fixture does not log " + v.getClass());
    }
  }

  private static String sqlType(ValueType t) {
    return switch (t.spelling()) {
      case "int32" -> "INTEGER";
      case "int64" -> "BIGINT";
      case "float32" -> "FLOAT";
      case "float64" -> "DOUBLE";
      case "bool" -> "BOOLEAN";
      case "string" -> "VARCHAR";
      default -> throw new IllegalArgumentException("the fixture does not log " + t.spelling());
    };
  }
}
