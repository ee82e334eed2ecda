package dev.quiver.core.monitor;

import dev.quiver.core.QuiverException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The feature-log files of a service: {@code <logs>/<service>/date=YYYY-MM-DD/part-<epochMillis>-<seq>.parquet}
 * (docs/monitoring.md, "Feature logging"), the date folders outside the requested range left out,
 * hidden files (a writer's temporary names) and other names ignored; in write order.
 */
final class LogFiles {
  private static final Pattern DATE_DIR = Pattern.compile("date=(\\d{4}-\\d{2}-\\d{2})");
  private static final Pattern PART = Pattern.compile("part-(\\d+)-(\\d+)\\.parquet");

  private LogFiles() {}

  static List<Path> list(Path logs, String service, Instant since, Instant until) {
    Path dir = logs.resolve(service);
    if (!Files.isDirectory(dir)) {
      throw new QuiverException("no feature logs of service '" + service + "' in " + logs.toAbsolutePath().normalize()
          + " (looked for " + dir + "/date=YYYY-MM-DD/part-*.parquet): turn logging on for the service"
          + " (logging: {sample_rate: ...}) and point --logs at the server's feature_logging path");
    }
    LocalDate first = since == null ? null : LocalDate.ofInstant(since, ZoneOffset.UTC);
    LocalDate last = until == null ? null : LocalDate.ofInstant(until, ZoneOffset.UTC);
    record Part(Path path, LocalDate date, long millis, long seq) {}
    List<Part> parts = new ArrayList<>();
    try (Stream<Path> days = Files.list(dir)) {
      for (Path day : days.toList()) {
        Matcher d = DATE_DIR.matcher(day.getFileName().toString());
        if (!d.matches() || !Files.isDirectory(day)) {
          continue;
        }
        LocalDate date;
        try {
          date = LocalDate.parse(d.group(1));
        } catch (DateTimeParseException e) {
          continue;
        }
        if ((first != null && date.isBefore(first)) || (last != null && date.isAfter(last))) {
          continue;
        }
        try (Stream<Path> files = Files.list(day)) {
          for (Path f : files.toList()) {
            Matcher p = PART.matcher(f.getFileName().toString());
            if (p.matches() && Files.isRegularFile(f)) {
              parts.add(new Part(f, date, Long.parseLong(p.group(1)), Long.parseLong(p.group(2))));
            }
          }
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw new QuiverException("cannot list the feature logs in " + dir + ": " + e.getMessage(), e);
    }
    parts.sort(Comparator.comparing(Part::date).thenComparingLong(Part::millis).thenComparingLong(Part::seq)
        .thenComparing(p -> p.path().toString()));
    return parts.stream().map(Part::path).toList();
  }
}
