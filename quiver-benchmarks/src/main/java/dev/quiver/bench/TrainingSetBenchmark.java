package dev.quiver.bench;

import dev.quiver.core.repo.FeatureRepo;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleConsumer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The offline point-in-time reference workload of DESIGN §5: a training set of 1M query rows × 3
 * views × 10 column features over 10M source rows, written to Parquet, end to end (open the repo,
 * plan, run, write). See {@link ReferenceWorkload} for what is built.
 *
 * <p>As a main, it builds (or reuses) the workload in a work directory, runs the training set
 * {@code --runs} times in this JVM and prints, per run, the wall time, output rows/s, the
 * process's CPU time (all threads, DuckDB's included: the work done, beside the time it took) and
 * its peak resident memory (VmHWM, reset before each run; DuckDB's native memory included), then
 * the JVM's heap limit and peak heap use. Build and run from the repository root:
 *
 * <pre>
 * ./mvnw -q -DskipTests -pl quiver-benchmarks -am package
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.TrainingSetBenchmark /tmp/quiver-bench/work-10m [--rows 10000000] [--query-rows 1000000] \
 *     [--runs 5] [--seed 42] [--profile] [--engine duckdb|spark] [--master local[2]] [--out FILE.parquet|DIR] \
 *     [--conf spark.driver.maxResultSize=1m]... [--prepare-only]
 * </pre>
 *
 * {@code --prepare-only} builds the workload (printing its time and peak RSS) and stops.
 *
 * {@code --out} writes the training set there instead of {@code WORK_DIR/out/quiver.parquet}: a path
 * without a {@code .parquet} or {@code .csv} extension is a directory of Parquet parts, which the
 * Spark engine's executors write in parallel (nothing passes through the driver). Each run also
 * prints the JVM's garbage collections; bound the heap with {@code -Xmx} before {@code -cp} (in
 * Spark's local mode the driver and the executors share this one JVM and its heap). {@code --conf}
 * adds Spark settings to the repo's {@code offline.conf}: {@code spark.driver.maxResultSize=1m}
 * fails any job whose tasks send the driver more than 1 MB of results, which bounds what reaches
 * the driver separately from the executors' memory.
 *
 * {@code --profile} then does one more run with the engine's step timings on ({@code
 * -Dquiver.offline.timings=true}): where the time goes.
 *
 * <p>Under JMH (single-shot, one warm-up, five measured runs, one fork), with the same work
 * directory parameters:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     org.openjdk.jmh.Main TrainingSetBenchmark -p workDir=/tmp/quiver-bench/work-10m
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TrainingSetBenchmark {

  /** The work directory (JMH parameter). */
  @Param("target/pit-workload")
  public String workDir;

  /** Source rows (JMH parameter). */
  @Param("10000000")
  public long rows;

  /** Query rows (JMH parameter). */
  @Param("1000000")
  public long queryRows;

  private ReferenceWorkload workload;

  /** JMH: builds or reuses the workload once per trial. */
  @Setup(Level.Trial)
  public void prepare() {
    workload = new ReferenceWorkload(Path.of(workDir), rows, queryRows, 42);
    workload.prepare(System.out);
  }

  /** JMH: one training set, end to end; returns its row count. */
  @Benchmark
  public long trainingSet() {
    return run(workload, p -> {});
  }

  /** Opens the repo, plans the workload's request and writes the training set; returns its rows. */
  static long run(ReferenceWorkload workload, DoubleConsumer progress) {
    return run(workload, workload.output(), progress);
  }

  /**
   * Like {@link #run(ReferenceWorkload, DoubleConsumer)}, into {@code output}: a {@code .parquet}
   * file, or a directory of Parquet parts (on Spark, written by the executors in parallel).
   */
  static long run(ReferenceWorkload workload, Path output, DoubleConsumer progress) {
    try (FeatureRepo repo = FeatureRepo.open(workload.repo())) {
      return repo.writeHistoricalFeatures(workload.request(), output, progress, null, "benchmark").rows();
    }
  }

  /**
   * Runs the benchmark; see the class comment for the arguments.
   *
   * @throws IllegalArgumentException on a malformed argument
   */
  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    PrintStream out = System.out;
    ReferenceWorkload w = new ReferenceWorkload(o.workDir, o.rows, o.queryRows, o.seed);
    printMachine(out);
    out.printf("workload: %,d query rows x %d views x %d features over %,d source rows, TTL %dd, seed %d%n",
        w.queryRows(), ReferenceWorkload.VIEWS.size(), ReferenceWorkload.refs().size() / ReferenceWorkload.VIEWS.size(),
        w.rows(), ReferenceWorkload.TTL_DAYS, w.seed());
    boolean reset = resetPeakRss();
    long started0 = System.nanoTime();
    long cpu0 = processCpuNanos();
    if (w.prepare(out)) {
      out.printf("workload built in %.1f s, %.1f CPU-s; peak RSS while building %,d MB%s%n", (System.nanoTime() - started0) / 1e9,
          (processCpuNanos() - cpu0) / 1e9, procStatusKb("VmHWM") / 1024, reset ? "" : " (VmHWM not reset: since the JVM started)");
    }
    if (o.prepareOnly) {
      return;
    }
    w.useEngine(o.engine, o.master, o.conf);
    out.printf("engine: %s%s%n", o.engine, o.engine.equals("spark") ? " (master " + o.master + ", conf " + o.conf + ")" : "");
    Path output = o.out != null ? o.out.toAbsolutePath() : w.output();
    Files.createDirectories(output.getParent());
    out.printf("JVM arguments: %s; heap max %,d MB%n", ManagementFactory.getRuntimeMXBean().getInputArguments(),
        Runtime.getRuntime().maxMemory() >> 20);

    List<Double> seconds = new ArrayList<>();
    List<Double> cpus = new ArrayList<>();
    long worstRss = 0;
    boolean rssReset = true;
    for (int i = 1; i <= o.runs; i++) {
      out.printf("run %d/%d: load average %s%n", i, o.runs, loadAverage());
      rssReset &= resetPeakRss();
      ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
      long[] gcBefore = gcCountAndMillis();
      long started = System.nanoTime();
      long cpuBefore = processCpuNanos();
      long written = run(w, output, progress(out));
      double s = (System.nanoTime() - started) / 1e9;
      double cpu = (processCpuNanos() - cpuBefore) / 1e9;
      long[] gcAfter = gcCountAndMillis();
      long rss = procStatusKb("VmHWM");
      worstRss = Math.max(worstRss, rss);
      if (written != w.outputRows()) {
        throw new IllegalStateException("run " + i + " wrote " + written + " rows, expected " + w.outputRows());
      }
      seconds.add(s);
      cpus.add(cpu);
      out.printf("run %d/%d: %,d rows in %.3f s = %,.0f rows/s; %.2f CPU-s; peak RSS %,d MB; peak heap used %,d MB;"
              + " GC %,d collections, %.1f s paused or concurrent%n",
          i, o.runs, written, s, written / s, cpu, rss / 1024, peakHeapUsed() / (1024 * 1024), gcAfter[0] - gcBefore[0],
          (gcAfter[1] - gcBefore[1]) / 1e3);
    }
    out.println();
    out.printf("heap max (-Xmx or default): %,d MB%n", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    out.printf("peak RSS of the process over the runs: %,d MB%s%n", worstRss / 1024,
        rssReset ? " (VmHWM reset before each run)" : " (could not reset VmHWM: includes the workload build)");
    out.printf("run 1 (cold JVM): %.3f s = %,.0f rows/s%n", seconds.get(0), w.outputRows() / seconds.get(0));
    if (seconds.size() > 1) {
      double[] warm = sorted(seconds.subList(1, seconds.size()));
      double median = median(warm);
      out.printf("runs 2..%d: median %.3f s = %,.0f rows/s; best %.3f s = %,.0f rows/s; worst %.3f s%n",
          seconds.size(), median, w.outputRows() / median, warm[0], w.outputRows() / warm[0], warm[warm.length - 1]);
      out.printf("runs 2..%d: median %.2f CPU-s%n", seconds.size(), median(sorted(cpus.subList(1, cpus.size()))));
    }
    out.println("output: " + output + (Files.isDirectory(output) ? " (a directory of " + parts(output) + " Parquet parts)" : ""));
    if (o.profile) {
      profile(w, out);
    }
  }

  /**
   * One more run with the engine's step timings on ({@code -Dquiver.offline.timings=true}): each
   * step's time (SQL statements and the Java match) goes to standard error.
   */
  static void profile(ReferenceWorkload w, PrintStream out) {
    out.printf("%nprofile: one more run with -Dquiver.offline.timings=true (step times on standard error)%n");
    String before = System.getProperty("quiver.offline.timings");
    System.setProperty("quiver.offline.timings", "true");
    try {
      long started = System.nanoTime();
      long rows = run(w, p -> {});
      out.printf("profile: %,d rows in %.3f s%n", rows, (System.nanoTime() - started) / 1e9);
    } finally {
      if (before == null) {
        System.clearProperty("quiver.offline.timings");
      } else {
        System.setProperty("quiver.offline.timings", before);
      }
    }
  }

  /** Prints progress at every 25%, from the engine's poller thread. */
  private static DoubleConsumer progress(PrintStream out) {
    AtomicInteger printed = new AtomicInteger();
    return pct -> {
      int quarter = (int) (pct / 25);
      int last = printed.get();
      if (quarter > last && quarter < 4 && printed.compareAndSet(last, quarter)) {
        out.printf("  %d%%%n", quarter * 25);
      }
    };
  }

  private static void printMachine(PrintStream out) throws SQLException {
    out.printf("machine: %d cores (%s), %,d MB memory%n", Runtime.getRuntime().availableProcessors(),
        cpuModel(), meminfoKb("MemTotal") / 1024);
    out.printf("JDK: %s %s; DuckDB %s%n", System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
        duckdbVersion());
  }

  private static String duckdbVersion() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT version()")) {
      r.next();
      return r.getString(1);
    }
  }

  private static String cpuModel() {
    return readLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
        .map(l -> l.substring(l.indexOf(':') + 1).strip()).findFirst().orElse("unknown CPU");
  }

  static String loadAverage() {
    List<String> lines = readLines(Path.of("/proc/loadavg"));
    return lines.isEmpty() ? "unknown" : String.join(" ", Arrays.asList(lines.get(0).split(" ")).subList(0, 3));
  }

  private static double[] sorted(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** CPU time of the whole process so far (every thread, DuckDB's included), in nanoseconds. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Resets VmHWM to the current RSS (Linux 4.0+); false if the kernel refuses. */
  static boolean resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  static long procStatusKb(String field) {
    return kb(readLines(Path.of("/proc/self/status")), field);
  }

  private static long meminfoKb(String field) {
    return kb(readLines(Path.of("/proc/meminfo")), field);
  }

  private static long kb(List<String> lines, String field) {
    for (String l : lines) {
      if (l.startsWith(field + ":")) {
        return Long.parseLong(l.substring(field.length() + 1).replace("kB", "").strip());
      }
    }
    return -1;
  }

  /** Collections and their accumulated time (ms) over every collector of this JVM. */
  public static long[] gcCountAndMillis() {
    long count = 0;
    long millis = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      millis += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, millis};
  }

  private static long parts(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count();
    }
  }

  private static long peakHeapUsed() {
    return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
        .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
  }

  private static List<String> readLines(Path p) {
    try {
      return Files.readAllLines(p);
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The main's arguments. */
  private record Options(Path workDir, long rows, long queryRows, int runs, long seed, boolean profile, String engine,
      String master, Path out, java.util.Map<String, String> conf, boolean prepareOnly) {
    static Options parse(String[] args) {
      Path dir = null;
      String engine = "duckdb";
      String master = "local[2]";
      long rows = 10_000_000;
      long queryRows = -1;
      int runs = 5;
      long seed = 42;
      boolean profile = false;
      Path out = null;
      boolean prepareOnly = false;
      java.util.Map<String, String> conf = new java.util.TreeMap<>();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--rows" -> rows = Long.parseLong(value(args, ++i, a).replace("_", ""));
          case "--query-rows" -> queryRows = Long.parseLong(value(args, ++i, a).replace("_", ""));
          case "--runs" -> runs = Integer.parseInt(value(args, ++i, a));
          case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
          case "--profile" -> profile = true;
          case "--prepare-only" -> prepareOnly = true;
          case "--engine" -> engine = value(args, ++i, a);
          case "--master" -> master = value(args, ++i, a);
          case "--out" -> out = Path.of(value(args, ++i, a));
          case "--conf" -> {
            String kv = value(args, ++i, a);
            int eq = kv.indexOf('=');
            if (eq < 1) {
              throw new IllegalArgumentException("--conf takes KEY=VALUE (a Spark setting), not '" + kv + "'");
            }
            conf.put(kv.substring(0, eq), kv.substring(eq + 1));
          }
          default -> {
            if (a.startsWith("--") || dir != null) {
              throw new IllegalArgumentException("unknown argument '" + a + "'; usage: TrainingSetBenchmark WORK_DIR"
                  + " [--rows N] [--query-rows N] [--runs N] [--seed S] [--profile] [--engine duckdb|spark] [--master local[N]]"
                  + " [--out FILE.parquet|DIR] [--conf spark.key=value]... [--prepare-only]");
            }
            dir = Path.of(a);
          }
        }
      }
      if (dir == null) {
        throw new IllegalArgumentException("usage: TrainingSetBenchmark WORK_DIR [--rows N] [--query-rows N] [--runs N] [--seed S] [--profile]");
      }
      if (runs < 1) {
        throw new IllegalArgumentException("--runs must be at least 1");
      }
      if (!engine.equals("duckdb") && !engine.equals("spark")) {
        throw new IllegalArgumentException("--engine must be duckdb or spark, not '" + engine + "'");
      }
      return new Options(dir, rows, queryRows < 0 ? Math.max(1, rows / 10) : queryRows, runs, seed, profile, engine, master,
          out, java.util.Map.copyOf(conf), prepareOnly);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }
}
