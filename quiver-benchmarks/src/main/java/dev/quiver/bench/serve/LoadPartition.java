package dev.quiver.bench.serve;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One event loop's share of a {@link LoadGenerator} run: its connections, its part of the schedule
 * (global requests {@code i ≡ index mod partitions}), its histograms and counters. Every field is
 * touched on the event loop only, after {@link #start}; the caller reads them after the returned
 * future completes.
 */
final class LoadPartition {
  private static final long HIGHEST = TimeUnit.HOURS.toNanos(1);

  private final LoadGenerator.Settings s;
  private final int index;
  private final int partitions;
  private final int connectionCount;
  private final EventLoop loop;
  private final Bootstrap bootstrap;
  private final List<ByteBuf> requests;
  private final boolean open;
  private final long timeoutNanos;
  private final SslContext tls;
  private final boolean honourRetryAfter;

  private final ArrayDeque<Conn> free = new ArrayDeque<>();
  private final List<Conn> all = new ArrayList<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  final Histogram latency = new Histogram(HIGHEST, 3);
  final Histogram service = new Histogram(HIGHEST, 3);
  /** Latency of the recorded requests answered 2xx (admitted), and of those answered otherwise (refused). */
  final Histogram admitted = new Histogram(HIGHEST, 3);
  final Histogram refused = new Histogram(HIGHEST, 3);
  /** When on: per answered request, its intended time (nanoTime), latency and status, in answer order. */
  final Timeline timeline;
  final Map<Integer, Long> nonOk = new TreeMap<>();
  /** Requests sent, warm-up included. */
  long sent;
  /** Recorded (post-warm-up) requests answered 2xx; {@link #nonOk} counts the others by status. */
  long ok;
  /** Recorded requests that timed out (or were outstanding at the hard stop). */
  long timeouts;
  /** Connections that broke with a request in flight, or could not be reopened, over the whole run. */
  long connectionErrors;
  /** Recorded requests never sent before the hard stop (the server kept every connection busy). */
  long unsent;
  /** Send time of the last request (nanoTime); 0 if none. */
  long lastSent;
  /** Completion time of the last recorded response (nanoTime); 0 if none. */
  long lastRecorded;

  private long t0;
  private long warmupEnd;
  private long end;
  private long hardStop;
  private long count;
  private long next;
  private int outstanding;
  private boolean stopped;
  private boolean started;
  private long pumpAt = Long.MAX_VALUE;

  LoadPartition(LoadGenerator.Settings s, int index, int connections, EventLoop loop, Bootstrap bootstrap,
      List<ByteBuf> requests, SslContext tls, boolean timeline, boolean honourRetryAfter) {
    this.s = s;
    this.tls = tls;
    this.honourRetryAfter = honourRetryAfter;
    this.timeline = timeline ? new Timeline() : null;
    this.index = index;
    this.partitions = s.ioThreads();
    this.connectionCount = connections;
    this.loop = loop;
    this.bootstrap = bootstrap.group(loop);
    this.requests = requests;
    this.open = s.rate() > 0;
    this.timeoutNanos = s.timeout().toNanos();
  }

  /** Opens the connections; blocks until they are all up. */
  void connect() {
    for (int c = 0; c < connectionCount; c++) {
      ChannelFuture f = newConnection().awaitUninterruptibly();
      if (!f.isSuccess()) {
        throw new IllegalStateException("cannot connect to " + s.host() + ":" + s.port() + ": " + f.cause().getMessage(),
            f.cause());
      }
    }
  }

  private ChannelFuture newConnection() {
    Conn conn = new Conn();
    return bootstrap.clone().handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        if (tls != null) {
          ch.pipeline().addLast(tls.newHandler(ch.alloc(), s.host(), s.port()));
        }
        ch.pipeline().addLast(new HttpResponseDecoder()).addLast(conn);
      }
    }).connect();
  }

  /** Starts the schedule at {@code t0} (nanoTime); the future completes when this share is done. */
  CompletableFuture<Void> start(long t0) {
    loop.execute(() -> {
      this.started = true;
      this.t0 = t0;
      this.warmupEnd = t0 + s.warmup().toNanos();
      this.end = warmupEnd + s.duration().toNanos();
      this.hardStop = end + timeoutNanos;
      long total = s.totalRequests();
      this.count = open ? Math.max(0, (total - index + partitions - 1) / partitions) : Long.MAX_VALUE;
      loop.schedule(() -> stop(System.nanoTime()), Math.max(0, hardStop - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (!open) {
        loop.schedule(this::pump, Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      schedulePump(t0);
    });
    return done;
  }

  /** The intended time of this partition's {@code k}-th request: global request {@code index + k·partitions}. */
  private long intended(long k) {
    double i = index + (double) k * partitions;
    return t0 + Math.round(i * 1e9 / s.rate());
  }

  private void schedulePump(long at) {
    if (at >= pumpAt) {
      return;
    }
    pumpAt = at;
    loop.schedule(() -> {
      if (pumpAt == at) {
        pumpAt = Long.MAX_VALUE;
      }
      pump();
    }, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /** Sends every due request that a free connection can take; checks whether this share is done. */
  private void pump() {
    if (stopped) {
      return;
    }
    long now = System.nanoTime();
    if (open) {
      while (next < count) {
        long due = intended(next);
        if (due > now) {
          schedulePump(due);
          break;
        }
        Conn c = free.pollFirst();
        if (c == null) {
          break; // behind schedule: the next free connection sends it, its latency counted from `due`
        }
        send(c, next, due, now);
        next++;
      }
    } else {
      while (now < end) {
        Conn c = free.pollFirst();
        if (c == null) {
          break;
        }
        send(c, next, now, now);
        next++;
      }
    }
    boolean scheduleOver = open ? next >= count : now >= end;
    if (scheduleOver && outstanding == 0) {
      finish();
    }
  }

  private void send(Conn c, long k, long due, long now) {
    long id = index + k * partitions;
    c.id = id;
    c.intended = due;
    c.sentAt = now;
    c.measured = due >= warmupEnd;
    c.status = 0;
    c.closeAfter = false;
    c.retryAfterNanos = 0;
    outstanding++;
    sent++;
    lastSent = now;
    c.ctx.writeAndFlush(requests.get((int) (id % requests.size())).duplicate());
    c.timeout = loop.schedule(() -> timeOut(c, id), timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void complete(Conn c) {
    if (c.id < 0) {
      return;
    }
    long now = System.nanoTime();
    c.timeout.cancel(false);
    if (c.measured) {
      latency.recordValue(Math.min(HIGHEST, now - c.intended));
      service.recordValue(Math.min(HIGHEST, now - c.sentAt));
      lastRecorded = now;
      if (c.status >= 200 && c.status < 300) {
        ok++;
        admitted.recordValue(Math.min(HIGHEST, now - c.intended));
      } else {
        nonOk.merge(c.status, 1L, Long::sum);
        refused.recordValue(Math.min(HIGHEST, now - c.intended));
      }
    }
    if (timeline != null) {
      timeline.add(c.intended, now - c.intended, c.status);
    }
    c.id = -1;
    outstanding--;
    if (c.closeAfter) {
      c.ctx.close(); // the server asked to close; channelInactive replaces the connection
    } else if (c.retryAfterNanos > 0) { // a client that backs off: this connection waits as told
      loop.schedule(() -> {
        if (!stopped && all.contains(c)) {
          free.addLast(c);
          pump();
        }
      }, c.retryAfterNanos, TimeUnit.NANOSECONDS);
    } else {
      free.addLast(c);
    }
    pump();
  }

  private void timeOut(Conn c, long id) {
    if (c.id != id || stopped) {
      return;
    }
    long now = System.nanoTime();
    if (c.measured) {
      timeouts++;
      latency.recordValue(Math.min(HIGHEST, now - c.intended));
      lastRecorded = now;
    }
    if (timeline != null) {
      timeline.add(c.intended, now - c.intended, 0);
    }
    c.id = -1;
    outstanding--;
    c.ctx.close();
    pump();
  }

  private void broken(Conn c) {
    all.remove(c);
    free.remove(c);
    if (c.id >= 0) {
      c.timeout.cancel(false);
      connectionErrors++;
      c.id = -1;
      outstanding--;
    }
    if (!stopped) {
      reconnect();
      pump();
    }
  }

  private void reconnect() {
    newConnection().addListener(f -> {
      if (!f.isSuccess() && !stopped) {
        connectionErrors++;
        loop.schedule(this::reconnect, 100, TimeUnit.MILLISECONDS);
      }
    });
  }

  /** The hard stop: outstanding requests time out, due requests never sent are unsent. */
  private void stop(long now) {
    if (stopped) {
      return;
    }
    for (Conn c : List.copyOf(all)) {
      if (c.id >= 0) {
        if (c.measured) {
          timeouts++;
          latency.recordValue(Math.min(HIGHEST, now - c.intended));
        }
        c.timeout.cancel(false);
        c.id = -1;
        outstanding--;
      }
    }
    if (open) {
      for (; next < count; next++) {
        long due = intended(next);
        if (due >= warmupEnd) {
          unsent++;
          latency.recordValue(Math.min(HIGHEST, Math.max(0, now - due)));
        }
      }
    }
    finish();
  }

  private void finish() {
    if (stopped) {
      return;
    }
    stopped = true;
    for (Conn c : List.copyOf(all)) {
      c.ctx.close();
    }
    done.complete(null);
  }

  /** Measured window: from the end of the warm-up to the last recorded response (at least the nominal duration). */
  /** From the schedule's start to the last send, seconds (0 before any). */
  double sendSeconds() {
    return lastSent == 0 ? 0 : (lastSent - t0) / 1e9;
  }

  double measuredSeconds() {
    return Math.max(s.duration().toNanos(), lastRecorded - warmupEnd) / 1e9;
  }

  /** Answered requests in answer order: intended time (nanoTime), latency (ns), HTTP status (0: timed out). */
  static final class Timeline {
    long[] intended = new long[1024];
    long[] latency = new long[1024];
    int[] status = new int[1024];
    int size;

    void add(long at, long nanos, int code) {
      if (size == intended.length) {
        intended = java.util.Arrays.copyOf(intended, size * 2);
        latency = java.util.Arrays.copyOf(latency, size * 2);
        status = java.util.Arrays.copyOf(status, size * 2);
      }
      intended[size] = at;
      latency[size] = nanos;
      status[size++] = code;
    }
  }

  /** One keep-alive connection and the request it has in flight ({@code id < 0}: none). */
  private final class Conn extends ChannelInboundHandlerAdapter {
    ChannelHandlerContext ctx;
    long id = -1;
    long intended;
    long sentAt;
    boolean measured;
    int status;
    boolean closeAfter;
    long retryAfterNanos;
    ScheduledFuture<?> timeout;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      this.ctx = ctx;
      all.add(this);
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      if (ssl == null) {
        ready();
      } else { // TLS: the connection takes requests once its handshake is done
        ssl.handshakeFuture().addListener(f -> {
          if (f.isSuccess()) {
            ready();
          } else {
            ctx.close();
          }
        });
      }
      ctx.fireChannelActive();
    }

    private void ready() {
      if (!all.contains(this)) {
        return; // closed meanwhile
      }
      free.addLast(this);
      if (started) {
        pump();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpResponse r) {
          status = r.status().code();
          closeAfter = !HttpUtil.isKeepAlive(r);
          String retryAfter = honourRetryAfter ? r.headers().get(HttpHeaderNames.RETRY_AFTER) : null;
          if (retryAfter != null) {
            try {
              retryAfterNanos = TimeUnit.SECONDS.toNanos(Math.max(0, Long.parseLong(retryAfter.strip())));
            } catch (NumberFormatException httpDate) {
              retryAfterNanos = TimeUnit.SECONDS.toNanos(1); // an HTTP date: not sent by Quiver; a second
            }
          }
        }
        if (msg instanceof LastHttpContent) {
          complete(this);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      broken(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
