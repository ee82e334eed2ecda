package dev.quiver.bench.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * CPU time of a process by kind of thread, from {@code /proc/PID/task/TID/stat} (user + system time,
 * 10 ms ticks): the network event loops ({@code multiThreadIoEventLoopGroup-*}, HTTP's and gRPC's
 * alike), the request workers ({@code quiver-worker-*}), the gRPC call threads ({@code quiver-grpc-*}),
 * Lettuce's (Redis client) threads, the JVM's GC and JIT threads, and the rest. Take one before and one
 * after a phase and subtract ({@link #minus}). Linux only; empty elsewhere.
 */
record ThreadCpu(Map<String, Double> seconds) {
  /** The kinds, in print order. */
  static final String[] KINDS = {"network", "workers", "grpc-calls", "lettuce", "gc", "jit", "other"};

  /** The process's threads' CPU seconds so far, by kind (threads that ended are not counted). */
  static ThreadCpu of(long pid) {
    Map<String, Double> by = new TreeMap<>();
    for (String k : KINDS) {
      by.put(k, 0.0);
    }
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      tasks.forEach(t -> {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          double s = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
          by.merge(kind(name), s, Double::sum);
        } catch (IOException | RuntimeException ended) {
          // the thread ended meanwhile
        }
      });
    } catch (IOException | RuntimeException e) {
      // not Linux, or the process ended
    }
    return new ThreadCpu(by);
  }

  /** A thread's kind by its name as the kernel keeps it (the first 15 characters). */
  static String kind(String name) {
    if (name.startsWith("multiThreadIoEv")) {
      return "network";
    } else if (name.startsWith("quiver-worker")) {
      return "workers";
    } else if (name.startsWith("quiver-grpc")) {
      return "grpc-calls";
    } else if (name.startsWith("lettuce")) {
      return "lettuce";
    } else if (name.startsWith("GC ") || name.startsWith("G1 ")) {
      return "gc";
    } else if (name.startsWith("C1 ") || name.startsWith("C2 ")) {
      return "jit";
    }
    return "other";
  }

  /** This one less {@code earlier}: the CPU seconds of the phase between them. */
  ThreadCpu minus(ThreadCpu earlier) {
    Map<String, Double> d = new TreeMap<>();
    seconds.forEach((k, v) -> d.put(k, v - earlier.seconds.getOrDefault(k, 0.0)));
    return new ThreadCpu(d);
  }

  double of(String kind) {
    return seconds.getOrDefault(kind, 0.0);
  }

  double total() {
    return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
  }

  /** {@code network 1.23 s, workers 0.40 s, ...} */
  String line() {
    StringBuilder b = new StringBuilder();
    for (String k : KINDS) {
      b.append(b.isEmpty() ? "" : ", ").append(String.format("%s %.2f s", k, of(k)));
    }
    return b.toString();
  }
}
