package dev.quiver.bench.online;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/** What the benchmarks print about the machine and the process: cores, CPU, memory, JDK, load, RSS. */
public final class Machine {
  private Machine() {}

  public static void print(PrintStream out) {
    out.printf("machine: %d cores (%s), %,d MB memory%n", Runtime.getRuntime().availableProcessors(),
        cpuModel(), statusKb(Path.of("/proc/meminfo"), "MemTotal") / 1024);
    out.printf("JDK: %s %s; DuckDB %s; heap max %,d MB%n", System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"), duckdbVersion(), Runtime.getRuntime().maxMemory() >> 20);
    out.printf("load average: %s%n", loadAverage());
  }

  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Resets this process's VmHWM to its current RSS (Linux 4.0+); false if refused. */
  static boolean resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** This process's peak RSS (VmHWM), MB. */
  static long peakRssMb() {
    return statusKb(Path.of("/proc/self/status"), "VmHWM") / 1024;
  }

  /** A process's peak RSS (VmHWM), MB; -1 if unknown. */
  static long peakRssMb(long pid) {
    return statusKb(Path.of("/proc/" + pid + "/status"), "VmHWM") / 1024;
  }

  /** A process's current RSS (VmRSS), MB; -1 if unknown. */
  static long rssMb(long pid) {
    return statusKb(Path.of("/proc/" + pid + "/status"), "VmRSS") / 1024;
  }

  /** The redis-server child of this JVM (LocalRedis starts it as a child process). */
  public static Optional<ProcessHandle> redisChild() {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().command().map(c -> c.contains("redis-server")).orElse(false))
        .reduce((a, b) -> b);
  }

  /** Resets another process's VmHWM (we are root, or its owner). */
  static boolean resetPeakRss(long pid) {
    try {
      Files.writeString(Path.of("/proc/" + pid + "/clear_refs"), "5");
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** CPU seconds (user + system) one process has used so far, from /proc (its children not included); NaN if unknown. */
  public static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime (fields 14, 15), in USER_HZ
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static long statusKb(Path file, String field) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private static String cpuModel() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      return lines.stream().filter(l -> l.startsWith("model name")).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }

  private static String duckdbVersion() {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT version()")) {
      r.next();
      return r.getString(1);
    } catch (SQLException e) {
      return "unknown";
    }
  }
}
