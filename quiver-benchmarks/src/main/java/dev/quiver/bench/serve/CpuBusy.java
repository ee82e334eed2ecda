package dev.quiver.bench.serve;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Busy and idle time of each CPU so far, from {@code /proc/stat} (ticks): take one before and one after a phase and
 * compare ({@link #busyShare}). With the server pinned, it says whether the server's CPU was full (the capacity is
 * the server's) or idle part of the time (something else limited it: the load generator, a lock, a wake-up chain).
 * Linux only; empty elsewhere.
 *
 * @param busy per CPU number, ticks not idle (user, nice, system, irq, softirq, steal)
 * @param all per CPU number, every tick
 */
record CpuBusy(Map<Integer, Long> busy, Map<Integer, Long> all) {

  static CpuBusy now() {
    Map<Integer, Long> busy = new TreeMap<>();
    Map<Integer, Long> all = new TreeMap<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
        if (line.startsWith("cpu") && Character.isDigit(line.charAt(3))) {
          String[] f = line.trim().split("\\s+");
          int cpu = Integer.parseInt(f[0].substring(3));
          long total = 0;
          for (int i = 1; i <= Math.min(8, f.length - 1); i++) { // user .. steal (guest is inside user)
            total += Long.parseLong(f[i]);
          }
          long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
          busy.put(cpu, total - idle);
          all.put(cpu, total);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return new CpuBusy(busy, all);
  }

  /** The share of CPU {@code cpu}'s time that was busy since {@code earlier} (NaN when unknown). */
  double busyShare(CpuBusy earlier, int cpu) {
    long all = this.all.getOrDefault(cpu, 0L) - earlier.all.getOrDefault(cpu, 0L);
    return all <= 0 ? Double.NaN : (double) (busy.getOrDefault(cpu, 0L) - earlier.busy.getOrDefault(cpu, 0L)) / all;
  }

  /** {@code CPU 0 41% busy, CPU 1 100% busy} for the CPUs of a {@code taskset} list such as {@code 1} or {@code 0,1}. */
  String line(CpuBusy earlier, String cpus) {
    StringBuilder b = new StringBuilder();
    for (String c : cpus.split(",")) {
      int cpu = Integer.parseInt(c.trim());
      b.append(b.isEmpty() ? "" : ", ").append(String.format("CPU %d %.0f%% busy", cpu, 100 * busyShare(earlier, cpu)));
    }
    return b.toString();
  }
}
