package dev.quiver.bench.serve;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP load generator for {@code POST} requests, in the manner of wrk2: an open model with a
 * constant arrival rate and latency measured without coordinated omission, plus a closed-loop
 * saturation mode.
 *
 * <p><b>Open model</b> ({@code rate > 0}): request {@code i} is <em>intended</em> at {@code t0 + i/rate}.
 * A fixed pool of keep-alive connections sends each due request as soon as a connection is free; a
 * request's latency is measured from its intended time to the end of its response, so a server that
 * stalls shows up as latency for every request intended during the stall (not as fewer samples, which
 * is what timing from the send does). The run has {@code rate × (warmup + duration)} requests; those
 * intended during the warm-up are sent but not recorded.
 *
 * <p><b>Closed loop</b> ({@code rate == 0}): each connection sends its next request as soon as its
 * previous response arrived, until {@code warmup + duration} has passed; latency is then the service
 * time (send to response), and the achieved rate is the saturation throughput for that many
 * connections.
 *
 * <p>Every recorded latency goes into an HdrHistogram (nanoseconds, 3 significant digits), and so does
 * the service time (send to response). A request unanswered {@code timeout} after its send is a
 * timeout: its connection is closed and replaced, and it is recorded at its latency so far (a lower
 * bound). The run stops by itself: at {@code t0 + warmup + duration + timeout} whatever is still
 * outstanding is counted as timed out and every due request never sent as unsent (both recorded at
 * their lower bound). Non-2xx responses and broken connections are counted.
 *
 * <p>Connections are spread over {@code ioThreads} Netty event loops (epoll where available). Each
 * loop runs an independent share of the schedule (requests {@code i ≡ loop mod ioThreads}, each at
 * its own intended time), so no state is shared between threads. Targets must be loopback addresses.
 *
 * <p>Not thread-safe: one {@link #run} at a time per instance; instances are independent.
 */
public final class LoadGenerator {
  private final String bearerToken;
  private final SslContext tls;
  private final boolean timeline;
  private final boolean honourRetryAfter;

  /** Plain HTTP, no credentials, no timeline. */
  public LoadGenerator() {
    this(null, null, false);
  }

  /**
   * @param bearerToken sent as {@code Authorization: Bearer} with every request; null for none
   * @param tls a client TLS context (HTTPS); null for plain HTTP
   * @param timeline whether to keep every answered request's intended time, latency and status
   *     ({@link LoadResult#timeline()}), e.g. to see when latency recovers after a burst
   */
  public LoadGenerator(String bearerToken, SslContext tls, boolean timeline) {
    this(bearerToken, tls, timeline, false);
  }

  private LoadGenerator(String bearerToken, SslContext tls, boolean timeline, boolean honourRetryAfter) {
    this.bearerToken = bearerToken;
    this.tls = tls;
    this.timeline = timeline;
    this.honourRetryAfter = honourRetryAfter;
  }

  /** The same generator keeping (or not) a timeline of every answered request. */
  public LoadGenerator timeline(boolean on) {
    return new LoadGenerator(bearerToken, tls, on, honourRetryAfter);
  }

  /**
   * The same generator honouring (or not, the default) {@code Retry-After}: a connection answered with
   * one (a 503 of an overloaded server) sends nothing for that many seconds, as a client that backs off
   * would; the requests due meanwhile go to other connections or wait, their latency counted from
   * their intended time as always. Not the open model any more: the offered rate falls while the
   * server refuses, so report such a run apart from the open-model one.
   */
  public LoadGenerator honourRetryAfter(boolean on) {
    return new LoadGenerator(bearerToken, tls, timeline, on);
  }

  /**
   * What to run.
   *
   * @param host a loopback address or name ({@code 127.0.0.1}, {@code localhost})
   * @param port the server's port
   * @param path the request path, e.g. {@code /get-online-features}
   * @param bodies request bodies (JSON), used in turn: request {@code i} sends {@code bodies[i % n]}
   * @param rate requests per second; 0 for the closed loop
   * @param connections keep-alive connections
   * @param warmup sent but not recorded
   * @param duration recorded
   * @param timeout a request unanswered this long after its send is a timeout
   * @param ioThreads event-loop threads of the client
   */
  public record Settings(String host, int port, String path, List<byte[]> bodies, double rate, int connections,
      Duration warmup, Duration duration, Duration timeout, int ioThreads) {
    public Settings {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(warmup, "warmup");
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(timeout, "timeout");
      bodies = List.copyOf(bodies);
      if (bodies.isEmpty()) {
        throw new IllegalArgumentException("at least one request body is needed");
      }
      if (!(rate >= 0) || Double.isInfinite(rate)) {
        throw new IllegalArgumentException("rate must be >= 0 requests/s (0: closed loop), got " + rate);
      }
      if (connections < 1 || ioThreads < 1 || ioThreads > connections) {
        throw new IllegalArgumentException("need connections >= 1 and 1 <= ioThreads <= connections, got "
            + connections + " connections, " + ioThreads + " io threads");
      }
      if (duration.isNegative() || duration.isZero() || warmup.isNegative() || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("duration and timeout must be positive and warm-up not negative");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1..65535, got " + port);
      }
    }

    /** The same settings at another rate (0: closed loop) and connection count. */
    public Settings at(double newRate, int newConnections) {
      return new Settings(host, port, path, bodies, newRate, newConnections, warmup, duration, timeout,
          Math.min(ioThreads, newConnections));
    }

    /** The same settings with another warm-up and duration. */
    public Settings lasting(Duration newWarmup, Duration newDuration) {
      return new Settings(host, port, path, bodies, rate, connections, newWarmup, newDuration, timeout, ioThreads);
    }

    /** Requests of the whole run (warm-up included) in the open model. */
    long totalRequests() {
      return Math.round(rate * (warmup.toNanos() + duration.toNanos()) / 1e9);
    }
  }

  /**
   * Runs the load and returns what was measured; blocks for about {@code warmup + duration}.
   *
   * @throws IllegalArgumentException when the host is not a loopback address
   * @throws IllegalStateException when no connection can be opened
   */
  public LoadResult run(Settings s) {
    InetAddress address = loopback(s.host());
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(s.ioThreads(),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    List<ByteBuf> owned = new ArrayList<>(s.bodies().size());
    List<ByteBuf> requests = encode(s, owned);
    try {
      Bootstrap bootstrap = new Bootstrap()
          .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000)
          .remoteAddress(address, s.port());
      List<LoadPartition> partitions = new ArrayList<>();
      for (int p = 0; p < s.ioThreads(); p++) {
        int conns = s.connections() / s.ioThreads() + (p < s.connections() % s.ioThreads() ? 1 : 0);
        partitions.add(new LoadPartition(s, p, conns, group.next(), bootstrap.clone(), requests, tls, timeline,
            honourRetryAfter));
      }
      for (LoadPartition p : partitions) {
        p.connect();
      }
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
      List<CompletableFuture<Void>> done = partitions.stream().map(p -> p.start(t0)).toList();
      CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
      long cpu1 = processCpuNanos();
      return LoadResult.merge(s, partitions, (cpu1 - cpu0) / 1e9);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      owned.forEach(ByteBuf::release); // the direct buffers behind the unreleasable views
    }
  }

  /** The raw HTTP/1.1 requests, one per body, encoded once (writes send read-only duplicates). */
  private List<ByteBuf> encode(Settings s, List<ByteBuf> owned) {
    List<ByteBuf> out = new ArrayList<>(s.bodies().size());
    for (byte[] body : s.bodies()) {
      byte[] head = ("POST " + s.path() + " HTTP/1.1\r\nHost: " + s.host() + ":" + s.port()
          + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length
          + (bearerToken == null ? "" : "\r\nAuthorization: Bearer " + bearerToken) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII);
      ByteBuf buf = Unpooled.directBuffer(head.length + body.length).writeBytes(head).writeBytes(body);
      owned.add(buf);
      out.add(Unpooled.unreleasableBuffer(buf.asReadOnly()));
    }
    return out;
  }

  /** Resolves {@code host}, refusing anything but loopback (load is only ever sent to this machine). */
  static InetAddress loopback(String host) {
    InetAddress a;
    try {
      a = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown host '" + host + "'", e);
    }
    if (!a.isLoopbackAddress()) {
      throw new IllegalArgumentException("the load generator only targets loopback addresses (127.0.0.0/8, ::1);"
          + " '" + host + "' is " + a.getHostAddress());
    }
    return a;
  }

  private static long processCpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }
}
