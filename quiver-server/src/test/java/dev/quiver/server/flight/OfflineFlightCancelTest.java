package dev.quiver.server.flight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.QuiverServer;
import dev.quiver.server.ServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Feast client that goes away while its training set is being computed stops the server's work: the
 * DuckDB statements are interrupted (the exchange ends as {@code cancelled} long before the set would
 * have been computed), the uploaded query rows' scratch file is deleted, and the server answers the
 * next request.
 */
class OfflineFlightCancelTest {
  @TempDir Path tmp;

  @Test
  void aClientThatGoesAwayStopsTheEngine() throws Exception {
    Path dir = FlightRepo.create(tmp.resolve("repo"), 7, "");
    largeEvents(dir.resolve("data/events/part-2.parquet"), 3_000_000);
    List<FlightRepo.QueryRow> rows = FlightRepo.queryRows(5, 300_000);
    List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Logger producer = java.util.logging.Logger.getLogger(OfflineProducer.class.getName());
    java.util.logging.Handler capture = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        log.add(String.valueOf(r.getMessage()));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    producer.addHandler(capture);
    var command = OfflineFlightTest.historical(OfflineFlightTest.REFS, true);
    try (FeatureRepo repo = FeatureRepo.open(dir);
        QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, 0));
        FlightClientAccess flight = new FlightClientAccess(server.grpcPort(), null)) {
      long begun = System.nanoTime();
      FlightClientAccess.Answer whole = flight.exchange(command, rows, 50_000);
      double full = (System.nanoTime() - begun) / 1e9;
      assertThat(whole.rows()).hasSize(rows.size());
      assertThat(cancelled(server)).isZero();

      long cancelledAt;
      try (FlightClient.ExchangeReaderWriter rw = flight.client.doExchange(
          FlightDescriptor.command(FlightClientAccess.command(command)))) {
        flight.upload(rw.getWriter(), rows, 50_000);
        waitFor(() -> scratchFiles(dir) == 1, System.nanoTime(), full * 2); // the query rows are written
        Thread.sleep(300); // the engine is computing now
        cancelledAt = System.nanoTime();
        rw.getReader().cancel("the notebook was interrupted", null);
      } catch (RuntimeException expected) {
        cancelledAt = System.nanoTime(); // closing a cancelled exchange may report the cancellation
      }
      double stopped = waitFor(() -> cancelled(server) == 1, cancelledAt, full * 2);
      assertThat(stopped).as("seconds from the cancel until the server's work ended (a whole set took %.1f s)", full)
          .isLessThan(full * 0.6);
      assertThat(scratchFiles(dir)).as("scratch files left").isZero();
      // the engine stops in whichever step it is in: a cancelled DuckDB statement, or a Java step interrupted
      assertThat(log).as("the engine's work was interrupted, not finished").anyMatch(m -> m.contains("stopped: the client went away")
          && (m.contains("the training set was cancelled") || m.contains("interrupted while")));
      assertThat(flight.exchange(command, rows.subList(0, 100), 100).rows()).hasSize(100);
    } finally {
      producer.removeHandler(capture);
    }
  }

  private static long scratchFiles(Path repo) {
    try (Stream<Path> files = Files.list(repo.resolve(".quiver/tmp/flight"))) {
      return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count();
    } catch (java.io.IOException e) {
      return 0; // not made yet
    }
  }

  /** Seconds from {@code since} until {@code done} holds (polled); fails after {@code limit} seconds. */
  private static double waitFor(java.util.function.BooleanSupplier done, long since, double limit) throws InterruptedException {
    while (!done.getAsBoolean()) {
      if ((System.nanoTime() - since) / 1e9 > limit) {
        throw new AssertionError("the server did not end the cancelled exchange within " + limit + " s");
      }
      Thread.sleep(20);
    }
    return (System.nanoTime() - since) / 1e9;
  }

  /** How many training-set exchanges the server counted as cancelled, from its metrics. */
  private static long cancelled(QuiverServer server) {
    try {
      String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + server.httpPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
      return metrics.lines().filter(l -> l.startsWith("quiver_requests_seconds_count{") && l.contains("protocol=\"flight\"")
          && l.contains("endpoint=\"get_historical_features\"") && l.contains("outcome=\"cancelled\""))
          .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Many events (20 users, as FlightRepo's) in a later file: enough that a training set takes seconds. */
  private static void largeEvents(Path file, int n) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("COPY (SELECT (1 + i % 20)::BIGINT AS user_id, TIMESTAMP '2026-01-01' + to_seconds((i * 7919) % 259200) AS event_ts,"
          + " TIMESTAMP '2026-01-01' + to_seconds((i * 7919) % 259200) AS created_ts, (i % 1000) / 10.0 AS amount,"
          + " CASE i % 3 WHEN 0 THEN 'FR' WHEN 1 THEN 'DE' ELSE 'JP' END AS country, (i % 1000 - 500)::INTEGER AS n"
          + " FROM range(" + n + ") t(i)) TO '" + file + "' (FORMAT parquet)");
    }
  }
}
