package dev.quiver.bench.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Measures when sampled events become servable: every {@code interval} it asks the server, in one
 * {@code POST /get-online-features}, for the newest {@code seq} of every user with a sample still
 * pending, and a sample is visible once its user's {@code seq} is at least its own (a user's events
 * are produced in order, newest wins). Its freshness is the time that answer arrived minus the time
 * the event was handed to the producer, so it is an upper bound, coarse by one interval plus one
 * request. A sample still unseen when the checker gives up is recorded at its age then (a lower bound,
 * as the load generator records timeouts) and counted in {@link #unseen}. Samples are added from the producer thread ({@link #add}); {@link #run} runs on a thread of
 * its own until {@link #finish} was called and every sample was seen or {@code patience} passed.
 */
final class FreshnessChecker implements Runnable {
  private record Sample(long user, long seq, long sentNanos) {}

  private final ConcurrentLinkedQueue<Sample> incoming = new ConcurrentLinkedQueue<>();
  private final Map<Long, ArrayDeque<Sample>> pending = new HashMap<>();
  private final Histogram freshness = new Histogram(TimeUnit.MINUTES.toNanos(5), 3);
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final ObjectMapper json = new ObjectMapper();
  private final URI uri;
  private final String feature;
  private final Duration interval;
  private final Duration patience;
  private volatile long finishedAt;
  private volatile boolean done;
  private long requests;
  private long failedRequests;
  private long unseen;
  private String lastError;

  FreshnessChecker(String host, int port, String feature, Duration interval, Duration patience) {
    this.uri = URI.create("http://" + host + ":" + port + "/get-online-features");
    this.feature = feature;
    this.interval = interval;
    this.patience = patience;
  }

  /** A sampled event: its user, its seq, and {@link System#nanoTime} just before it was sent. */
  void add(long user, long seq, long sentNanos) {
    incoming.add(new Sample(user, seq, sentNanos));
  }

  /** No more samples will come; {@link #run} ends once the pending ones are seen, or after the patience. */
  void finish() {
    finishedAt = System.nanoTime();
  }

  boolean done() {
    return done;
  }

  @Override
  public void run() {
    try {
      while (true) {
        long tick = System.nanoTime();
        for (Sample s; (s = incoming.poll()) != null; ) {
          pending.computeIfAbsent(s.user(), u -> new ArrayDeque<>()).add(s);
        }
        long finished = finishedAt;
        if (finished != 0 && incoming.isEmpty() && (pending.isEmpty() || tick - finished > patience.toNanos())) {
          for (ArrayDeque<Sample> q : pending.values()) { // never seen: recorded at their age now, a lower bound
            for (Sample s : q) {
              unseen++;
              freshness.recordValue(Math.min(freshness.getHighestTrackableValue(), tick - s.sentNanos()));
            }
          }
          return;
        }
        if (!pending.isEmpty()) {
          poll();
        }
        LockSupport.parkNanos(tick + interval.toNanos() - System.nanoTime());
      }
    } finally {
      done = true;
    }
  }

  /** One request for every user with a pending sample (at most 1,000 per request). */
  private void poll() {
    List<Long> users = new ArrayList<>(pending.keySet());
    if (users.size() > 1000) {
      users = users.subList(0, 1000);
    }
    String body = "{\"features\": [\"" + feature + "\"], \"entities\": {\"user_id\": " + users + "}}";
    requests++;
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
          .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
      long received = System.nanoTime();
      if (r.statusCode() != 200) {
        failedRequests++;
        lastError = r.statusCode() + " " + r.body();
        return;
      }
      JsonNode values = json.readTree(r.body()).path("results").path(1).path("values");
      for (int i = 0; i < users.size(); i++) {
        JsonNode v = values.path(i);
        if (!v.isNumber()) {
          continue;
        }
        long seen = v.asLong();
        ArrayDeque<Sample> q = pending.get(users.get(i));
        while (!q.isEmpty() && q.peek().seq() <= seen) {
          freshness.recordValue(Math.min(freshness.getHighestTrackableValue(), received - q.poll().sentNanos()));
        }
        if (q.isEmpty()) {
          pending.remove(users.get(i));
        }
      }
    } catch (IOException e) {
      failedRequests++;
      lastError = e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finishedAt = 1;
    }
  }

  /** Every sample's freshness, nanoseconds (unseen ones at their lower bound); read after {@link #run} ended. */
  Histogram freshness() {
    return freshness;
  }

  long unseen() {
    return unseen;
  }

  long requests() {
    return requests;
  }

  long failedRequests() {
    return failedRequests;
  }

  String lastError() {
    return lastError;
  }
}
