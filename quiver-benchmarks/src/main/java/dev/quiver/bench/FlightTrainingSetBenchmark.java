package dev.quiver.bench;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Issue 22's benchmark: the reference training set (1M query rows × 3 views × 10 features over 10M
 * source rows) into pandas through Feast's Python SDK with a Quiver server as its remote offline
 * store (Arrow Flight), against {@code quiver historical} on the same request in the server's JVM.
 *
 * <p>It builds (or reuses) the workload, times {@code writeHistoricalFeatures} to Parquet {@code
 * --runs} times in this JVM (what {@code quiver historical} runs; peak RSS reset before each run),
 * then starts the server on the repo (loopback, free ports) and runs {@code
 * quiver-benchmarks/feast/historical_flight.py} in Feast's venv, which times {@code
 * get_historical_features(entity_df=df, ...).to_df()} {@code --runs} times (reading the query
 * Parquet into pandas is not timed) and reports its own peak RSS; the server's peak RSS over those
 * calls is VmHWM of this JVM, reset before them. Run from the repository root:
 *
 * <pre>
 * ./mvnw -q -o -DskipTests -pl quiver-benchmarks -am package
 * java --enable-native-access=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
 *     -cp 'quiver-benchmarks/target/quiver-benchmarks.jar:quiver-benchmarks/target/lib/*' \
 *     dev.quiver.bench.FlightTrainingSetBenchmark /tmp/f22-bench/work-10m /work/main/.ci/feast-venv/bin/python [--runs 3]
 * </pre>
 */
public final class FlightTrainingSetBenchmark {
  private FlightTrainingSetBenchmark() {}

  /** See the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      throw new IllegalArgumentException("usage: FlightTrainingSetBenchmark WORK_DIR PYTHON [--runs N] [--rows N] [--query-rows N]");
    }
    Path work = Path.of(args[0]);
    String python = args[1];
    int runs = 3;
    long rows = 10_000_000;
    long queryRows = 1_000_000;
    for (int i = 2; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(args[i + 1]);
        case "--rows" -> rows = Long.parseLong(args[i + 1]);
        case "--query-rows" -> queryRows = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    PrintStream out = System.out;
    ReferenceWorkload w = new ReferenceWorkload(work, rows, queryRows, 42);
    w.prepare(out);
    w.useEngine("duckdb", null);
    Files.createDirectories(w.output().getParent());

    List<Double> cli = new ArrayList<>();
    long cliRss = 0;
    for (int i = 1; i <= runs; i++) {
      out.printf("quiver historical run %d/%d: load average %s%n", i, runs, TrainingSetBenchmark.loadAverage());
      TrainingSetBenchmark.resetPeakRss();
      long started = System.nanoTime();
      long written = TrainingSetBenchmark.run(w, p -> {});
      double s = (System.nanoTime() - started) / 1e9;
      long rss = TrainingSetBenchmark.procStatusKb("VmHWM");
      cliRss = Math.max(cliRss, rss);
      cli.add(s);
      out.printf("quiver historical run %d/%d: %,d rows in %.3f s; peak RSS %,d MB%n", i, runs, written, s, rss / 1024);
    }

    try (FeatureRepo repo = FeatureRepo.open(w.repo());
        QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, 0))) {
      TrainingSetBenchmark.resetPeakRss();
      out.printf("SDK runs: load average %s%n", TrainingSetBenchmark.loadAverage());
      Path script = Path.of("quiver-benchmarks/feast/historical_flight.py");
      Process p = new ProcessBuilder(python, script.toString(), work.toString(), work.resolve("feast-flight").toString(),
          "--grpc", "127.0.0.1:" + server.grpcPort(), "--http", "http://127.0.0.1:" + server.httpPort(),
          "--project", repo.config().project(), "--runs", String.valueOf(runs))
          .redirectErrorStream(true).start();
      List<String> results = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          if (line.startsWith("{")) {
            results.add(line);
            out.println("SDK run: " + line + "; load average " + TrainingSetBenchmark.loadAverage());
          } else if (!line.contains("Warning") && !line.isBlank()) {
            out.println("  python: " + line);
          }
        }
      }
      int exit = p.waitFor();
      long serverRss = TrainingSetBenchmark.procStatusKb("VmHWM");
      out.printf("server peak RSS over the SDK runs: %,d MB (VmHWM of this JVM, reset before them)%n", serverRss / 1024);
      if (exit != 0 || results.isEmpty()) {
        throw new IllegalStateException("the SDK script failed (exit " + exit + ")");
      }
      double best = cli.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      out.printf("quiver historical: best %.3f s, peak RSS %,d MB%n", best, cliRss / 1024);
      for (String r : results) {
        double s = Double.parseDouble(r.replaceAll(".*\"seconds\": ([0-9.]+).*", "$1"));
        out.printf("SDK %s: %.3f s = %.2f x quiver historical's best%n", r.replaceAll(".*\"run\": (\\d+).*", "run $1"), s, s / best);
      }
    }
  }
}
