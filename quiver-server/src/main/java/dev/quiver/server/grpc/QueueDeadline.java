package dev.quiver.server.grpc;

import dev.quiver.server.ServerMetrics;
import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The queue deadline for gRPC, like HTTP's {@code --queue-timeout}: a call still waiting in the call
 * executor's queue at its deadline is closed with {@code UNAVAILABLE} (the status gRPC clients retry
 * with backoff; the call did not run, so a retry is safe) and a {@code grpc-retry-pushback-ms}
 * trailer, right then, by a timer armed when the call is queued; the worker that later takes the call
 * up skips it. Whoever claims the call first answers it: the worker that starts it, or the timer. The
 * deadline counts from the moment the network thread saw the call (its headers), stamped by a stream
 * tracer ({@link #tracers()}); a call whose last message is read after it started is checked again,
 * from that message's arrival, when a worker takes the message up. And a bound on the queue itself
 * ({@link #executors}): past it a call is refused on the network thread without being queued.
 * Thread-safe.
 */
final class QueueDeadline implements ServerInterceptor {
  static final Metadata.Key<String> RETRY_PUSHBACK = Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<Arrival> ARRIVAL = Context.key("quiver-arrival");

  private final long timeoutNanos;
  private final ServerMetrics metrics;
  private final ScheduledExecutorService timers;
  private final AtomicInteger queued = new AtomicInteger();

  /** @param timers where the deadline timers run (the network threads; each timer's work is a few microseconds) */
  QueueDeadline(long timeoutNanos, ServerMetrics metrics, ScheduledExecutorService timers) {
    this.timeoutNanos = timeoutNanos;
    this.metrics = metrics;
    this.timers = timers;
  }

  /**
   * Hands each call to {@code executor}, unless {@code maxQueued} calls are already waiting there:
   * then the call stays on the network thread, where {@link #interceptCall} refuses it at once
   * ({@code RESOURCE_EXHAUSTED}) without queueing; a call it queues gets its deadline timer. Needs the
   * server's own executor to be direct, so that this runs on the network thread.
   */
  ServerCallExecutorSupplier executors(Executor executor, int maxQueued) {
    return new ServerCallExecutorSupplier() {
      @Override
      public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
        Arrival arrival = ARRIVAL.get();
        if (arrival == null) {
          return executor;
        }
        if (queued.incrementAndGet() > maxQueued) {
          queued.decrementAndGet();
          arrival.refused = maxQueued;
          return null;
        }
        arrival.queued = true;
        long left = arrival.nanos + timeoutNanos - System.nanoTime();
        arrival.timer = timers.schedule(() -> expire(arrival, call), Math.max(0, left), TimeUnit.NANOSECONDS);
        return executor;
      }
    };
  }

  /** The tracer factory that stamps each call's arrival; register it with the server builder. */
  static ServerStreamTracer.Factory tracers() {
    return new ServerStreamTracer.Factory() {
      @Override
      public ServerStreamTracer newServerStreamTracer(String method, Metadata headers) {
        return new Arrival();
      }
    };
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Arrival arrival = ARRIVAL.get();
    if (arrival == null) {
      return next.startCall(call, headers);
    }
    if (arrival.queued) {
      arrival.queued = false;
      queued.decrementAndGet();
    }
    if (!arrival.claim()) {
      return new ServerCall.Listener<>() {}; // refused at its deadline by the timer already: skip it
    }
    if (arrival.timer != null) {
      try {
        arrival.timer.cancel(false);
      } catch (RejectedExecutionException stopping) {
        // the network threads are shutting down: the timer goes with them
      }
    }
    if (arrival.refused > 0) {
      metrics.shed("grpc", ServerMetrics.IN_FLIGHT);
      call.close(Status.RESOURCE_EXHAUSTED.withDescription("the server is overloaded: " + arrival.refused
          + " calls are already waiting for a worker; retry with backoff"), new Metadata());
      metrics.request("grpc", method(call), "server_error", System.nanoTime() - arrival.nanos);
      return new ServerCall.Listener<>() {};
    }
    if (late(arrival, call)) {
      return new ServerCall.Listener<>() {};
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      @Override
      public void onHalfClose() { // a unary call runs here: the last check before it does
        if (!late(arrival, call)) {
          super.onHalfClose();
        }
      }
    };
  }

  /** At the deadline of a queued call, on a network thread: refuses it unless a worker has it. */
  private void expire(Arrival arrival, ServerCall<?, ?> call) {
    if (arrival.claim()) {
      refuse(call, System.nanoTime() - arrival.nanos);
    }
  }

  private boolean late(Arrival arrival, ServerCall<?, ?> call) {
    long waited = System.nanoTime() - arrival.nanos;
    if (waited <= timeoutNanos) {
      return false;
    }
    refuse(call, waited);
    return true;
  }

  private void refuse(ServerCall<?, ?> call, long waited) {
    metrics.shed("grpc", ServerMetrics.QUEUE_TIMEOUT);
    Metadata trailers = new Metadata();
    trailers.put(RETRY_PUSHBACK, "1000");
    call.close(Status.UNAVAILABLE.withDescription("the server is overloaded: the call waited longer than "
        + timeoutNanos / 1_000_000 + " ms (--queue-timeout) for a worker and was not run; retry with backoff"), trailers);
    metrics.request("grpc", method(call), "server_error", waited);
  }

  private static String method(ServerCall<?, ?> call) {
    String name = call.getMethodDescriptor().getBareMethodName();
    return name == null ? "other" : name;
  }

  /**
   * Stamped on the network thread when the call's headers arrive and again when each message has been
   * read; {@link #claim()}ed once, by the worker starting the call or by the timer refusing it.
   */
  private static final class Arrival extends ServerStreamTracer {
    private final AtomicBoolean claimed = new AtomicBoolean();
    private volatile long nanos = System.nanoTime();
    private volatile boolean queued;
    private volatile int refused;
    private volatile ScheduledFuture<?> timer;

    /** True for the first caller only: it answers the call. */
    boolean claim() {
      return claimed.compareAndSet(false, true);
    }

    @Override
    public Context filterContext(Context context) {
      return context.withValue(ARRIVAL, this);
    }

    @Override
    public void inboundMessageRead(int seqNo, long wireSize, long uncompressedSize) {
      nanos = System.nanoTime();
    }
  }
}
