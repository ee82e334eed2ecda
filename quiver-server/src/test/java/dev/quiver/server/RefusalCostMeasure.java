package dev.quiver.server;

import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.FeatureStatus;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.server.http.HttpFrontEnd;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CPU time of the HTTP network thread per request refused for the queue budget, syscalls included:
 * one network thread, one worker held for the whole run (so that, once the server has learnt a 2 ms
 * service time and three requests wait, every request is refused on arrival), and {@code connections}
 * blocking keep-alive clients in this JVM, each sending the benchmark's read (1 entity × 50 features)
 * and reading the 503 before sending again. Per round it prints the server thread's CPU (thread CPU
 * time, {@link ThreadMXBean}) over the refusals answered. Not a test; run by hand, each build's jars in
 * turn (it uses only what both have):
 *
 * <pre>{@code
 * ./mvnw -q -o -pl quiver-server -am test-compile
 * java -cp 'quiver-server/target/test-classes:/tmp/over26/after/lib/*' dev.quiver.server.RefusalCostMeasure 100000 5 16
 * java -cp 'quiver-server/target/test-classes:/tmp/over26/before/lib/*' dev.quiver.server.RefusalCostMeasure 100000 5 16
 * java -cp 'quiver-server/target/test-classes:/tmp/over26/after/lib/*' dev.quiver.server.RefusalCostMeasure 100000 5 16 grpc
 * }</pre>
 *
 * <p>With {@code grpc} last, the same over gRPC ({@link GrpcRefusals}): unary {@code GetOnlineFeatures}
 * calls from blocking stubs, each refused {@code UNAVAILABLE}.
 */
public final class RefusalCostMeasure {
  private RefusalCostMeasure() {}

  private static final String FEATURES = String.join(", ", Collections.nCopies(50, "\"user_wide:f\""));

  public static void main(String[] args) throws Exception {
    int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    boolean grpc = args.length > 3 && args[3].equals("grpc");
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    FeatureServing held = new FeatureServing() {
      @Override
      public OnlineResponse getOnlineFeatures(OnlineRequest request) {
        try {
          if (calls.incrementAndGet() <= 16) {
            Thread.sleep(2); // the service time the server learns
          } else {
            release.await(); // then the only worker is held: the queue never drains
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new OnlineResponse(request.entities(), List.of(new FeatureColumn("f", null, null, List.of(1L),
            List.of(FeatureStatus.PRESENT), Collections.singletonList(null))));
      }

      @Override
      public String version() {
        return "measure";
      }
    };
    ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(1024));
    ServerOptions options = ServerOptions.loopback().withThreads(1, 1).withAdmission(ServerOptions.Admission.DEFAULTS
        .withQueueBudget(Duration.ofMillis(5)).withQueueTimeout(Duration.ofHours(1)));
    if (grpc) {
      GrpcRefusals.measure(options, held, worker, release, perRound, rounds, connections);
      return;
    }
    HttpFrontEnd front = HttpFrontEnd.start(options, held, null, new ServerMetrics(), worker);
    try {
      byte[] request = request(front.port());
      try (Socket s = new Socket("127.0.0.1", front.port())) { // learn the service time
        InputStream in = new BufferedInputStream(s.getInputStream());
        for (int i = 0; i < 16; i++) {
          exchange(s, in, request);
        }
      }
      List<Socket> waiting = new ArrayList<>(); // one held by the worker, three queued behind it
      for (int i = 0; i < 4; i++) {
        Socket s = new Socket("127.0.0.1", front.port());
        s.getOutputStream().write(request);
        waiting.add(s);
        Thread.sleep(50);
      }
      long[] server = serverThreads();
      ThreadMXBean mx = ManagementFactory.getThreadMXBean();
      System.out.printf("server network threads %d; %d refusals a round over %d connections; load average %.2f%n",
          server.length, perRound, connections, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      for (int round = 0; round < rounds; round++) {
        long cpu0 = cpu(mx, server);
        AtomicLong other = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
          int n = perRound / connections;
          clients.add(Thread.ofPlatform().start(() -> {
            try (Socket s = new Socket("127.0.0.1", front.port())) {
              s.setTcpNoDelay(true);
              InputStream in = new BufferedInputStream(s.getInputStream());
              for (int i = 0; i < n; i++) {
                if (exchange(s, in, request) != 503) {
                  other.incrementAndGet();
                }
              }
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }));
        }
        for (Thread t : clients) {
          t.join();
        }
        long cpu = cpu(mx, server) - cpu0;
        long answered = (long) (perRound / connections) * connections;
        System.out.printf("round %d: %,d answered (%d not 503), server network thread CPU %.3f s: %.2f µs per refusal;"
                + " load average %.2f%n", round + 1, answered, other.get(), cpu / 1e9, cpu / 1e3 / answered,
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      }
      for (Socket s : waiting) {
        s.close();
      }
    } finally {
      release.countDown();
      front.close();
      worker.shutdownNow();
    }
  }

  private static byte[] request(int port) {
    String body = "{\"features\": [" + FEATURES + "], \"entities\": {\"user_id\": [12345]}}";
    return ("POST /get-online-features HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
  }

  /** Sends one request and reads its whole answer; returns the status. */
  private static int exchange(Socket s, InputStream in, byte[] request) throws Exception {
    OutputStream out = s.getOutputStream();
    out.write(request);
    out.flush();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IllegalStateException("the server closed the connection");
      }
      head.append((char) b);
    }
    String h = head.toString().toLowerCase(java.util.Locale.ROOT);
    int at = h.indexOf("content-length: ") + 16;
    int length = Integer.parseInt(h.substring(at, h.indexOf('\r', at)));
    in.readNBytes(length);
    return Integer.parseInt(h.substring(9, 12));
  }

  /** The server's Netty threads: the only event-loop threads of that name in this JVM (gRPC clients name theirs otherwise). */
  static long[] serverThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("multiThreadIoEventLoopGroup"))
        .mapToLong(Thread::threadId).toArray();
  }

  static long cpu(ThreadMXBean mx, long[] threads) {
    long sum = 0;
    for (long id : threads) {
      sum += Math.max(0, mx.getThreadCpuTime(id));
    }
    return sum;
  }
}
