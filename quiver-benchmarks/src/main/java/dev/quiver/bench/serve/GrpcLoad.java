package dev.quiver.bench.serve;

import dev.quiver.grpc.feast.serving.FeatureList;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.Value;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Load over gRPC (Feast's {@code GetOnlineFeatures}, 1 entity × the given refs) with the same two
 * models as {@link LoadGenerator}: an open model (call {@code i} intended at {@code t0 + i/rate},
 * latency from the intended time, a call not yet answered counted from then) and a closed loop
 * ({@code concurrency} calls kept in flight). Calls are spread over {@code channels} HTTP/2
 * connections, optionally with TLS (trusting a CA file) and a bearer token in the {@code
 * authorization} metadata. Non-OK statuses are counted by code number in {@link LoadResult#nonOk()}.
 * Requests are encoded once and answers are read as bytes and dropped, not parsed ({@link #RAW}): parsing 50 features
 * per answer cost the generator about as much CPU as the server spent on the call, so that one generator CPU could not
 * offer twice what one server CPU serves. Not thread-safe; one {@link #run} at a time.
 */
final class GrpcLoad implements AutoCloseable {
  private static final long HIGHEST = TimeUnit.HOURS.toNanos(1);

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<ServingServiceGrpc.ServingServiceStub> stubs = new ArrayList<>();
  private final List<byte[]> requests = new ArrayList<>();

  /** Feast's {@code GetOnlineFeatures} with a pre-encoded request and an answer drained unparsed (its length). */
  static final MethodDescriptor<byte[], Long> RAW = ServingServiceGrpc.getGetOnlineFeaturesMethod().toBuilder(
      new MethodDescriptor.Marshaller<byte[]>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          throw new UnsupportedOperationException("the client never reads a request");
        }
      },
      new MethodDescriptor.Marshaller<Long>() {
        @Override
        public InputStream stream(Long value) {
          throw new UnsupportedOperationException("the client never sends an answer");
        }

        @Override
        public Long parse(InputStream stream) {
          try (stream) {
            return stream.transferTo(OutputStream.nullOutputStream());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }).build();

  GrpcLoad(int port, int channelCount, Path trustedCert, String bearerToken, long[] keys, List<String> refs, int bodies,
      long seed) throws Exception {
    this(port, channelCount, trustedCert, bearerToken, keys, refs, 1, bodies, seed);
  }

  /** With {@code entities} keys per call (1 above). */
  GrpcLoad(int port, int channelCount, Path trustedCert, String bearerToken, long[] keys, List<String> refs, int entities,
      int bodies, long seed) throws Exception {
    for (int c = 0; c < channelCount; c++) {
      NettyChannelBuilder b = NettyChannelBuilder.forAddress("127.0.0.1", port).directExecutor();
      if (trustedCert == null) {
        b.usePlaintext();
      } else {
        b.sslContext(GrpcSslContexts.forClient().trustManager(trustedCert.toFile()).build());
      }
      ManagedChannel ch = b.build();
      channels.add(ch);
      ServingServiceGrpc.ServingServiceStub stub = ServingServiceGrpc.newStub(ch);
      if (bearerToken != null) {
        Metadata m = new Metadata();
        m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + bearerToken);
        stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m));
      }
      stubs.add(stub);
    }
    SplittableRandom random = new SplittableRandom(seed);
    FeatureList features = FeatureList.newBuilder().addAllVal(refs).build();
    for (int i = 0; i < bodies; i++) {
      RepeatedValue.Builder ids = RepeatedValue.newBuilder();
      for (int e = 0; e < entities; e++) {
        ids.addVal(Value.newBuilder().setInt64Val(keys[random.nextInt(keys.length)]));
      }
      requests.add(GetOnlineFeaturesRequest.newBuilder().setFeatures(features).setFullFeatureNames(true)
          .putEntities("user_id", ids.build()).build().toByteArray());
    }
  }

  /** Runs {@code rate} calls/s (0: closed loop with {@code concurrency} in flight) for warm-up + duration. */
  LoadResult run(double rate, int concurrency, Duration warmup, Duration duration, Duration timeout) {
    Run r = new Run(warmup, timeout);
    long cpu0 = cpuNanos();
    long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    r.t0 = t0;
    r.warmupEnd = t0 + warmup.toNanos();
    r.end = r.warmupEnd + duration.toNanos();
    if (rate > 0) {
      long total = Math.round(rate * (warmup.toNanos() + duration.toNanos()) / 1e9);
      for (long i = 0; i < total; i++) {
        long due = t0 + Math.round(i * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        r.call(i, due);
      }
    } else {
      for (int c = 0; c < concurrency; c++) {
        r.loop(c);
      }
      LockSupport.parkNanos(Math.max(0, r.end - System.nanoTime()));
    }
    try {
      r.stopped = true;
      if (r.outstanding.get() == 0) {
        r.drained.countDown();
      }
      r.drained.await(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    double seconds = Math.max(duration.toNanos(), r.lastRecorded - r.warmupEnd) / 1e9;
    synchronized (r) {
      return new LoadResult(rate, concurrency, r.sent.get(), r.ok, Map.copyOf(r.nonOk), r.timeouts, 0, 0, seconds,
          r.latency.copy(), r.latency.copy(), (cpuNanos() - cpu0) / 1e9, r.admitted.copy(), r.refused.copy(), List.of(),
          (r.lastSent - t0) / 1e9);
    }
  }

  private final class Run {
    final Histogram latency = new Histogram(HIGHEST, 3);
    final Histogram admitted = new Histogram(HIGHEST, 3);
    final Histogram refused = new Histogram(HIGHEST, 3);
    final Map<Integer, Long> nonOk = new TreeMap<>();
    final AtomicLong sent = new AtomicLong();
    volatile long lastSent;
    final AtomicLong outstanding = new AtomicLong();
    final CountDownLatch drained = new CountDownLatch(1);
    final long timeoutNanos;
    long t0;
    long warmupEnd;
    long end;
    long ok;
    long timeouts;
    long lastRecorded;
    volatile boolean stopped;

    Run(Duration warmup, Duration timeout) {
      this.timeoutNanos = timeout.toNanos();
    }

    void call(long i, long intended) {
      sent.incrementAndGet();
      lastSent = System.nanoTime();
      outstanding.incrementAndGet();
      send((int) (i % stubs.size()), requests.get((int) (i % requests.size())), new StreamObserver<>() {
        @Override
        public void onNext(Long value) {}

        @Override
        public void onError(Throwable t) {
          done(intended, Status.fromThrowable(t).getCode().value());
        }

        @Override
        public void onCompleted() {
          done(intended, 0);
        }
      });
    }

    /** Closed loop: worker {@code c} sends its next call as soon as the previous one is answered. */
    void loop(int c) {
      AtomicLong n = new AtomicLong(c);
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        long now = System.nanoTime();
        if (now >= end) {
          return;
        }
        long i = n.getAndAdd(1_000_003);
        sent.incrementAndGet();
        outstanding.incrementAndGet();
        send(c % stubs.size(), requests.get((int) Math.floorMod(i, (long) requests.size())), new StreamObserver<>() {
          @Override
          public void onNext(Long value) {}

          @Override
          public void onError(Throwable t) {
            done(now, Status.fromThrowable(t).getCode().value());
            next[0].run();
          }

          @Override
          public void onCompleted() {
            done(now, 0);
            next[0].run();
          }
        });
      };
      next[0].run();
    }

    /** One raw call on stub {@code stub}'s channel (its interceptors included), with this run's deadline. */
    private void send(int stub, byte[] request, StreamObserver<Long> observer) {
      ServingServiceGrpc.ServingServiceStub st = stubs.get(stub);
      CallOptions options = st.getCallOptions().withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS);
      ClientCalls.asyncUnaryCall(st.getChannel().newCall(RAW, options), request, observer);
    }

    void done(long intended, int code) {
      long now = System.nanoTime();
      synchronized (this) {
        if (intended >= warmupEnd) {
          long l = Math.min(HIGHEST, now - intended);
          latency.recordValue(l);
          lastRecorded = now;
          if (code == 0) {
            ok++;
            admitted.recordValue(l);
          } else {
            if (code == Status.Code.DEADLINE_EXCEEDED.value()) {
              timeouts++;
            }
            nonOk.merge(code, 1L, Long::sum);
            refused.recordValue(l);
          }
        }
      }
      if (outstanding.decrementAndGet() == 0 && stopped) {
        drained.countDown();
      }
    }
  }

  private static long cpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : -1;
  }

  @Override
  public void close() {
    for (ManagedChannel ch : channels) {
      ch.shutdownNow();
    }
  }
}
