package dev.quiver.bench.serve;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the slow requests of a fixed-rate phase fall in time ({@code ServeBenchmark --slow-ms}), and
 * when the feature log's files were written, in UTC wall-clock time, so that the two can be lined up:
 * a file {@code part-<epochMillis>-<seq>.parquet} is named at the start of its roll and its
 * modification time is the end of its {@code COPY}.
 */
final class SlowWindows {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
  private static final Pattern PART = Pattern.compile("part-(\\d+)-\\d+\\.parquet");

  private SlowWindows() {}

  /**
   * Prints the requests slower than {@code slowMs}, counted per 100 ms window of their intended send time.
   *
   * @param wallOffsetNanos epoch nanoseconds minus {@code System.nanoTime()} in this JVM
   */
  static void print(List<LoadResult.Sample> timeline, double slowMs, long wallOffsetNanos, PrintStream out) {
    TreeMap<Long, long[]> windows = new TreeMap<>(); // window start (epoch ms) -> count, max latency (µs)
    long slow = 0;
    for (LoadResult.Sample s : timeline) {
      if (s.latencyNanos() > slowMs * 1e6) {
        slow++;
        long ms = (s.intended() + wallOffsetNanos) / 1_000_000;
        long[] w = windows.computeIfAbsent(ms - ms % 100, k -> new long[2]);
        w[0]++;
        w[1] = Math.max(w[1], s.latencyNanos() / 1000);
      }
    }
    out.printf("  %,d of %,d requests slower than %.1f ms; per 100 ms window (UTC: count, max ms):%n", slow,
        timeline.size(), slowMs);
    StringBuilder line = new StringBuilder();
    for (Map.Entry<Long, long[]> e : windows.entrySet()) {
      line.append(String.format("  %s: %d, %.1f;", TIME.format(Instant.ofEpochMilli(e.getKey())), e.getValue()[0],
          e.getValue()[1] / 1e3));
      if (line.length() > 100) {
        out.println(line);
        line.setLength(0);
      }
    }
    if (!line.isEmpty()) {
      out.println(line);
    }
  }

  /** Prints each log file's roll start (its name) and end (its modification time), oldest first. */
  static void printRolls(Path logs, PrintStream out) {
    if (!Files.isDirectory(logs)) {
      return;
    }
    List<String> lines = new ArrayList<>();
    try (Stream<Path> files = Files.walk(logs)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        Matcher m = PART.matcher(f.getFileName().toString());
        if (m.matches()) {
          long start = Long.parseLong(m.group(1));
          FileTime end = Files.getLastModifiedTime(f);
          lines.add(String.format("  %s .. %s (%,d ms): %s, %,d bytes", TIME.format(Instant.ofEpochMilli(start)),
              TIME.format(end.toInstant()), end.toMillis() - start, f.getFileName(), Files.size(f)));
        }
      }
    } catch (IOException e) {
      out.println("  cannot list " + logs + ": " + e.getMessage());
      return;
    }
    lines.sort(null);
    out.println("feature log rolls (UTC, name's time .. file written):");
    lines.forEach(out::println);
  }
}
