package dev.quiver.bench.serve;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * Warm first, pin after: the server (and its store) runs unpinned on both cores while a driver exercises every path
 * the measurement will take, in rounds, until its JIT compiler threads ({@code C1}/{@code C2}, from {@link ThreadCpu})
 * stop taking CPU; only then is every thread of the running processes pinned ({@code taskset -a -p}). A server pinned
 * from its start shares one core with its own JIT: in 2026-12-07's pinned series the compiler took 2.1–2.2 s of CPU in
 * each 10 s run and a request cost ~540 µs of CPU, 10× the warm server's.
 *
 * @param rounds at most this many rounds of the driver
 * @param settledJitSeconds a round whose JIT CPU is at most this is quiet; two quiet rounds in a row end the warm-up
 */
record WarmThenPin(int rounds, double settledJitSeconds) {

  /** One round of the warm-up (e.g. a second of each protocol, admitted and refused). */
  interface Round {
    void run() throws Exception;
  }

  /** What a process is pinned to once warm. */
  record Pin(String what, long pid, String cpus) {}

  /**
   * Runs {@code round} until the JIT of {@code serverPid} settles (or {@link #rounds} have run), prints each round's JIT
   * CPU, then pins each of {@code pins}. Returns whether it settled.
   */
  boolean warmThenPin(long serverPid, Round round, List<Pin> pins, PrintStream out) throws Exception {
    int quiet = 0;
    int n = 0;
    double total = 0;
    while (n < rounds && quiet < 2) {
      ThreadCpu before = ThreadCpu.of(serverPid);
      long t0 = System.nanoTime();
      round.run();
      ThreadCpu d = ThreadCpu.of(serverPid).minus(before);
      n++;
      total += d.of("jit");
      quiet = d.of("jit") <= settledJitSeconds ? quiet + 1 : 0;
      out.printf("  warm-up round %d (%.1f s, unpinned): server JIT CPU %.2f s (C1/C2 threads), all threads %.2f s; load"
          + " average %s%n", n, (System.nanoTime() - t0) / 1e9, d.of("jit"), d.total(), ServeBenchmark.loadAverage());
    }
    boolean settled = quiet >= 2;
    out.printf("  JIT %s after %d rounds (%.2f s of JIT CPU in all)%s%n", settled ? "settled" : "NOT settled", n, total,
        settled ? "" : ": every number below includes compilation");
    for (Pin p : pins) {
      ServerProcess.pin(p.pid(), p.cpus());
      out.printf("  pinned %s (pid %d, every thread) to CPUs %s%n", p.what(), p.pid(), p.cpus());
    }
    return settled;
  }

  /** The JIT's CPU seconds in a phase, for the line every measured phase prints. */
  static String jitLine(ThreadCpu phase, Duration length) {
    return String.format("JIT CPU in this phase %.2f s (%.1f%% of a core)", phase.of("jit"),
        100 * phase.of("jit") / Math.max(1e-9, length.toNanos() / 1e9));
  }
}
