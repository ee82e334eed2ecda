package dev.quiver.cli;

import dev.quiver.core.QuiverException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code quiver demo}: Quiver's main job end to end on the embedded defaults, printing each step.
 * Each capability extends it as it lands.
 */
@Command(name = "demo", description = "Run Quiver end to end on generated payments data, printing each step.")
final class DemoCommand implements Callable<Integer> {
  private static final String MARKER = ".quiver-demo";

  @Option(names = "--dir", paramLabel = "DIR", description = "Where to build the demo repo (default ${DEFAULT-VALUE}); replaced on each run.", defaultValue = "quiver-demo")
  Path dir;

  @Option(names = "--rows", paramLabel = "N", description = "Card transactions to generate (default ${DEFAULT-VALUE}).", defaultValue = "100000")
  long rows;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  private PrintWriter out;
  private PrintWriter err;

  @Override
  public Integer call() throws IOException {
    out = spec.commandLine().getOut();
    err = spec.commandLine().getErr();
    String repo = dir.toString();
    clear(dir);

    header("1. Create a feature repo: definitions for a payments domain and ~90 days of generated data");
    // as 'quiver init' without --start: the 90 days up to now, so that online values are fresh
    InitCommand.create(dir, rows, 42, InitCommand.defaultStart(java.time.Instant.now()), out, err);
    Files.writeString(dir.resolve(MARKER), "created by quiver demo; the next demo run replaces this folder\n");

    expect(0, "2. Plan: validate the definitions against the data and diff them against the (empty) registry",
        "plan", "--repo", repo);
    expect(0, "3. Apply: record registry version 1", "apply", "--repo", repo, "-m", "payments features, first version", "--author", "demo");
    expect(0, "4. Discover: the views, and risk-team's gold-tier features", "list", "views", "--repo", repo);
    expect(0, null, "list", "features", "--repo", repo, "--owner", "risk-team", "--tag", "tier=gold");
    expect(0, "5. Describe one feature, with who reads it", "describe", "user_txn:amount_avg_30d", "--repo", repo);

    String training = dir.resolve("training/fraud_v1.parquet").toString();
    expect(0, "6. A point-in-time-correct training set: 5,000 payments, each with the features as they were just before it;"
            + " the on-demand features of txn_risk read the payment's own amount and country from the query rows",
        "historical", "--repo", repo,
        "--query-sql", "SELECT txn_id, user_id, merchant_id, event_ts - INTERVAL 1 MICROSECOND AS event_timestamp, amount, country, is_fraud"
            + " FROM transactions WHERE txn_id % 20 = 0 ORDER BY txn_id LIMIT 5000",
        "--features", "user_txn:last_amount,user_txn:last_country,user_profile:home_country,user_profile:risk_segment,"
            + "user_profile:credit_limit,merchant_profile:category,merchant_profile:risk_score,txn_risk:is_foreign,txn_risk:over_limit",
        "--out", training, "--save", "fraud_training_v1", "--author", "demo", "--preview", "5");
    expect(0, "7. Saved training sets are audited and reproducible bit for bit", "datasets", "list", "--repo", repo);
    expect(0, null, "datasets", "reproduce", "fraud_training_v1", "--repo", repo,
        "--out", dir.resolve("training/fraud_v1.reproduced.parquet").toString());

    expect(0, "8. Materialize: the latest row of every online view, per entity, into the embedded online store (RocksDB)",
        "materialize-incremental", "now", "--repo", repo, "--author", "demo");
    expect(0, "9. Online lookup: the values a model gets at serving time, with statuses", "online", "--repo", repo,
        "--features", "user_txn:last_amount,user_txn:last_country,user_profile:risk_segment,merchant_profile:risk_score",
        "--entity", "user_id=1,2,3", "--entity", "merchant_id=10,20,30");

    windowsAgree(dir);

    serve(dir);

    Path defs = dir.resolve("features/payments.yaml");
    String original = Files.readString(defs);
    String skewed = replace(original, "{fn: avg, column: amount, window: 30d}", "{fn: avg, column: amount, window: 7d}");
    Files.writeString(defs, skewed);
    header("11. Someone turns the 30-day mean into a 7-day mean in place: the training-serving skew Quiver exists to stop");
    expect(0, null, "plan", "--repo", repo);
    expect(1, "   ... and apply refuses it", "apply", "--repo", repo, "--author", "demo");

    String versioned = replace(skewed, "  - name: user_txn\n", "  - name: user_txn\n    version: 2\n");
    versioned = versioned.replace("      - user_txn:", "      - user_txn@v1:");
    versioned = replace(versioned, "inputs: [user_txn,", "inputs: [user_txn@v1,");
    Files.writeString(defs, versioned);
    expect(0, "12. The right way: a new view version; fraud_model and txn_risk stay pinned to v1, and both versions coexist",
        "apply", "--repo", repo, "-m", "user_txn v2: 7-day mean", "--author", "demo");
    expect(0, "13. The audit log", "registry", "log", "--repo", repo);
    expect(0, null, "describe", "user_txn", "--repo", repo);

    out.printf("%nDone. The demo repo is in %s; try: ./quiver list features --repo %s --name amount%n", dir, repo);
    out.flush();
    return 0;
  }

  /**
   * Step 9b: window aggregates — the 30-day mean amount and two more — read online from the tiles
   * materialization wrote, and computed offline by a training set at the same instant, side by side.
   */
  private void windowsAgree(Path dir) {
    header("9b. The same 30-day mean at serving and in training: online (tiles in RocksDB) vs offline (a training set at the same instant)");
    java.time.Instant t = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    List<String> names = List.of("amount_avg_30d", "txn_count_7d", "max_amount_30d");
    List<dev.quiver.core.model.FeatureRef> refs = names.stream()
        .map(n -> dev.quiver.core.model.FeatureRef.of("user_txn:" + n)).toList();
    List<Object> users = List.of(1L, 2L, 3L, 4L, 5L);
    StringBuilder values = new StringBuilder();
    for (Object u : users) {
      values.append(values.isEmpty() ? "" : ", ").append("(").append(u).append("::BIGINT, TIMESTAMP '")
          .append(t.toString().replace('T', ' ').replace("Z", "")).append("')");
    }
    int same = 0;
    int total = 0;
    try (dev.quiver.core.repo.FeatureRepo r = dev.quiver.core.repo.FeatureRepo.open(dir,
        java.time.Clock.fixed(t, java.time.ZoneOffset.UTC))) {
      dev.quiver.core.online.OnlineResponse online = r.getOnlineFeatures(refs, java.util.Map.of("user_id", users), false);
      out.printf("  at %s%n  %-8s %-16s %22s %22s%n", t, "user_id", "feature", "offline", "online");
      try (dev.quiver.core.offline.HistoricalRows offline = r.getHistoricalFeatures(
          dev.quiver.core.offline.HistoricalRequest.ofFeatures(new dev.quiver.core.offline.QueryInput.Sql(
              "SELECT * FROM (VALUES " + values + ") q(user_id, event_timestamp)"), refs))) {
        int width = offline.columns().size() - refs.size();
        for (int i = 0; offline.hasNext(); i++) {
          Object[] row = offline.next();
          for (int f = 0; f < refs.size(); f++) {
            Object want = row[width + f];
            Object got = online.features().get(f).values().get(i);
            total++;
            same += java.util.Objects.equals(want, got) ? 1 : 0;
            out.printf("  %-8s %-16s %22s %22s%s%n", row[0], names.get(f), want, got,
                java.util.Objects.equals(want, got) ? "" : "   DIFFERENT");
          }
        }
      }
    }
    out.printf("  online and offline agree on %d of %d values%n", same, total);
    out.flush();
    if (same != total) {
      throw new QuiverException("demo: online and offline window aggregates differ");
    }
  }

  /** Step 10: the feature server, queried over HTTP with Feast's request, then a push, then over gRPC. */
  private void serve(Path dir) {
    header("10. Serve: 'quiver serve' answers Feast's HTTP and gRPC requests (here in-process, on free ports)");
    try (dev.quiver.core.repo.FeatureRepo repo = dev.quiver.core.repo.FeatureRepo.open(dir);
         dev.quiver.server.QuiverServer server = dev.quiver.server.QuiverServer.start(repo,
             dev.quiver.server.ServerOptions.loopback().withPorts(0, 0));
         java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
      String base = "http://127.0.0.1:" + server.httpPort();
      String read = "{\"features\": [\"user_txn:last_amount\", \"user_profile:risk_segment\"], \"entities\": {\"user_id\": [1, 2]}}";
      post(http, base, "/get-online-features", read);
      String push = "{\"push_source_name\": \"user_profiles\", \"to\": \"online\", \"df\": {\"user_id\": [1],"
          + " \"updated_at\": [\"" + java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS) + "\"],"
          + " \"home_country\": [\"DE\"], \"risk_segment\": [\"watchlist\"], \"credit_limit\": [500.0]}}";
      out.println("   ... a push from a stream processor changes user 1's profile; the next read serves it");
      post(http, base, "/push", push);
      post(http, base, "/get-online-features", read);
      grpc(server.grpcPort());
    } catch (IOException e) {
      throw new QuiverException("demo: the server did not answer: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuiverException("demo interrupted");
    }
  }

  /** The same read through the Java client over gRPC (Feast's ServingService). */
  private void grpc(int port) {
    out.println("   ... and the same read over gRPC, through the Java client (quiver-client):");
    out.println("$ FeatureClient.grpc(\"127.0.0.1\", " + port + ").getOnlineFeatures(features(\"user_txn:last_amount\","
        + " \"user_profile:risk_segment\").entity(\"user_id\", 1L, 2L))");
    try (dev.quiver.client.GrpcFeatureClient client = dev.quiver.client.FeatureClient.grpc("127.0.0.1", port)) {
      dev.quiver.client.OnlineFeatures f = client.getOnlineFeatures(dev.quiver.client.OnlineFeaturesRequest
          .features("user_txn:last_amount", "user_profile:risk_segment").entity("user_id", 1L, 2L));
      for (int row = 0; row < f.rows(); row++) {
        StringBuilder line = new StringBuilder("   ");
        for (dev.quiver.client.OnlineFeatures.Column c : f.columns()) {
          line.append(c.name()).append('=').append(c.values().get(row)).append(" (").append(c.statuses().get(row)).append(")  ");
        }
        out.println(line.toString().stripTrailing());
      }
      out.flush();
    } catch (dev.quiver.client.FeatureServerException e) {
      throw new QuiverException("demo: the gRPC read failed: " + e.getMessage(), e);
    }
  }

  private void post(java.net.http.HttpClient http, String base, String path, String body) throws IOException, InterruptedException {
    out.println("$ curl -s -X POST " + base + path + " -d '" + body + "'");
    var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    out.println(r.body());
    out.flush();
    if (r.statusCode() != 200) {
      throw new QuiverException("demo: " + path + " answered " + r.statusCode() + ": " + r.body());
    }
  }

  private void header(String title) {
    out.println();
    out.println("==> " + title);
    out.flush();
  }

  /** Runs one quiver command as a user would, echoing it, and checks its exit code. */
  private void expect(int exitCode, String title, String... args) {
    if (title != null) {
      header(title);
    }
    out.println("$ quiver " + String.join(" ", java.util.Arrays.stream(args)
        .map(a -> a.contains(" ") ? "\"" + a + "\"" : a).toList()));
    out.flush();
    CommandLine cli = QuiverCommand.commandLine();
    cli.setOut(out);
    cli.setErr(out);
    int code = cli.execute(args);
    if (code != exitCode) {
      throw new QuiverException("demo step 'quiver " + String.join(" ", args) + "' exited " + code + ", expected " + exitCode);
    }
  }

  private static String replace(String text, String from, String to) {
    if (!text.contains(from)) {
      throw new IllegalStateException("demo: the template no longer contains '" + from + "'");
    }
    return text.replace(from, to);
  }

  /** Removes a previous demo repo; refuses to touch a folder the demo did not create. */
  private static void clear(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.exists(dir.resolve(MARKER))) {
      throw new QuiverException(dir + " exists and was not created by 'quiver demo'; pass --dir NEWDIR");
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
