package dev.quiver.server.grpc;

import dev.quiver.server.ServerMetrics;
import dev.quiver.server.admission.LatencyLimit;
import dev.quiver.server.admission.QueueAdmission;
import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The queue deadline for gRPC, like HTTP's {@code --queue-timeout}: a call still waiting in the call
 * executor's queue at its deadline is closed with {@code UNAVAILABLE} (the status gRPC clients retry
 * with backoff; the call did not run, so a retry is safe) and a {@code grpc-retry-pushback-ms}
 * trailer, right then, by a timer armed when the call is queued; the worker that later takes the call
 * up skips it. Whoever claims the call first answers it: the worker that starts it, or the timer. The
 * deadline counts from the moment the network thread saw the call (its headers), stamped by a stream
 * tracer ({@link #tracers()}); a call whose last message is read after it started is checked again,
 * from that message's arrival, when a worker takes the message up. And admission to the queue itself
 * ({@link #executors}, {@link QueueAdmission}): a call that would wait past the budget, or finds the
 * queue at its bound, is refused on the network thread without being queued. And the adaptive latency
 * limit ({@link LatencyLimit}, {@code --latency-target}) on the unary calls of the services it covers
 * (the online reads): one that finds the limit reached is refused there too, {@code UNAVAILABLE} with the
 * pushback; one admitted holds its place from its headers' arrival until its stream closes, and its
 * latency is a sample unless it was refused at its deadline (the limit shrinks) or cancelled.
 * Thread-safe.
 */
final class QueueDeadline implements ServerInterceptor {
  static final Metadata.Key<String> RETRY_PUSHBACK = Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<Arrival> ARRIVAL = Context.key("quiver-arrival");
  private static final String PUSHBACK_MILLIS = "1000";

  private final long timeoutNanos;
  private final ServerMetrics metrics;
  private final ScheduledExecutorService timers;
  private final QueueAdmission admission;
  private final Status overBudget;
  private final LatencyLimit latency;
  private final Set<String> limitedServices;
  private final Status overLimit;

  /**
   * @param timers where the deadline timers run (the network threads; each timer's work is a few microseconds)
   * @param admission whether a call may join the call executor's queue
   * @param latency the adaptive limit on calls in flight ({@link LatencyLimit#OFF}: none)
   * @param limitedServices the services whose unary calls count in {@code latency} (the others never do)
   */
  QueueDeadline(long timeoutNanos, ServerMetrics metrics, ScheduledExecutorService timers, QueueAdmission admission,
      LatencyLimit latency, Set<String> limitedServices) {
    this.timeoutNanos = timeoutNanos;
    this.metrics = metrics;
    this.timers = timers;
    this.admission = admission;
    this.overBudget = Status.UNAVAILABLE.withDescription("the server is overloaded: " + admission.overBudget()
        + "; the call was not run; retry with backoff"); // one constant: no formatting per refusal
    this.latency = latency;
    this.limitedServices = Set.copyOf(limitedServices);
    this.overLimit = Status.UNAVAILABLE.withDescription("the server is overloaded: " + latency.refusal()
        + "; the call was not run; retry with backoff");
  }

  /**
   * Hands each call to {@code executor}, unless the admission refuses it (the calls already waiting
   * there would keep it waiting past the budget, or are at the queue bound): then the call stays on
   * the network thread, where {@link #interceptCall} refuses it at once without queueing ({@code
   * UNAVAILABLE} with a pushback; {@code RESOURCE_EXHAUSTED} at the bound); a call it queues gets its
   * deadline timer. Needs the server's own executor to be direct, so that this runs on the network thread.
   */
  ServerCallExecutorSupplier executors(Executor executor) {
    return new ServerCallExecutorSupplier() {
      @Override
      public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
        Arrival arrival = ARRIVAL.get();
        if (arrival == null) {
          return executor;
        }
        QueueAdmission.Verdict verdict = admission.admit();
        if (verdict != QueueAdmission.Verdict.ADMITTED) {
          arrival.refused = verdict;
          arrival.why = verdict == QueueAdmission.Verdict.FULL ? admission.refusal() : null;
          return null;
        }
        if (latency.enabled() && limited(call.getMethodDescriptor())) {
          LatencyLimit.Permit permit = latency.acquire();
          if (permit == null) { // as many calls in flight as the limit allows: refused on this thread
            admission.abandoned();
            arrival.overLimit = true;
            return null;
          }
          arrival.permit = permit;
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
    if (!arrival.claim()) {
      return new ServerCall.Listener<>() {}; // refused at its deadline by the timer already: skip it
    }
    if (arrival.queued) {
      admission.started();
    }
    if (arrival.timer != null) {
      try {
        arrival.timer.cancel(false);
      } catch (RejectedExecutionException stopping) {
        // the network threads are shutting down: the timer goes with them
      }
    }
    if (arrival.overLimit) {
      metrics.shed("grpc", ServerMetrics.LATENCY_LIMIT);
      Metadata trailers = new Metadata();
      trailers.put(RETRY_PUSHBACK, PUSHBACK_MILLIS);
      call.close(overLimit, trailers);
      metrics.request("grpc", method(call), "server_error", System.nanoTime() - arrival.nanos);
      return new ServerCall.Listener<>() {};
    }
    if (arrival.refused != null) {
      boolean full = arrival.refused == QueueAdmission.Verdict.FULL;
      metrics.shed("grpc", full ? ServerMetrics.IN_FLIGHT : ServerMetrics.QUEUE_WAIT);
      Metadata trailers = new Metadata();
      if (!full) {
        trailers.put(RETRY_PUSHBACK, PUSHBACK_MILLIS);
      }
      call.close(full ? Status.RESOURCE_EXHAUSTED.withDescription("the server is overloaded: " + arrival.why
          + "; the call was not run; retry with backoff") : overBudget, trailers);
      metrics.request("grpc", method(call), "server_error", System.nanoTime() - arrival.nanos);
      return new ServerCall.Listener<>() {};
    }
    if (late(arrival, call)) {
      return new ServerCall.Listener<>() {};
    }
    boolean unary = call.getMethodDescriptor().getType() == MethodDescriptor.MethodType.UNARY;
    long begun = System.nanoTime();
    ServerCall.Listener<Q> started = next.startCall(call, headers);
    long setUp = System.nanoTime() - begun; // authentication, among others
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(started) {
      @Override
      public void onHalfClose() { // a unary call runs here: the last check before it does
        // only a message read after the call started waited for a call thread again; the time this call
        // spent starting (authentication, a first call's class loading) is work, not waiting
        if (arrival.nanos - begun <= 0 || !late(arrival, call)) {
          long t = System.nanoTime();
          super.onHalfClose();
          if (unary && arrival.queued) { // streams (Flight) run for as long as they stream: not a service time
            admission.finished(setUp + System.nanoTime() - t);
          }
        }
      }
    };
  }

  /** At the deadline of a queued call, on a network thread: refuses it unless a worker has it. */
  private void expire(Arrival arrival, ServerCall<?, ?> call) {
    if (arrival.claim()) {
      admission.abandoned();
      arrival.dropped = true;
      refuse(call, System.nanoTime() - arrival.nanos);
    }
  }

  private boolean late(Arrival arrival, ServerCall<?, ?> call) {
    long waited = System.nanoTime() - arrival.nanos;
    if (waited <= timeoutNanos) {
      return false;
    }
    arrival.dropped = true;
    refuse(call, waited);
    return true;
  }

  private void refuse(ServerCall<?, ?> call, long waited) {
    metrics.shed("grpc", ServerMetrics.QUEUE_TIMEOUT);
    Metadata trailers = new Metadata();
    trailers.put(RETRY_PUSHBACK, PUSHBACK_MILLIS);
    call.close(Status.UNAVAILABLE.withDescription("the server is overloaded: the call waited longer than "
        + timeoutNanos / 1_000_000 + " ms (--queue-timeout) for a worker and was not run; retry with backoff"), trailers);
    metrics.request("grpc", method(call), "server_error", waited);
  }

  private boolean limited(MethodDescriptor<?, ?> method) {
    return method.getType() == MethodDescriptor.MethodType.UNARY && limitedServices.contains(method.getServiceName());
  }

  private static String method(ServerCall<?, ?> call) {
    String name = call.getMethodDescriptor().getBareMethodName();
    return name == null ? "other" : name;
  }

  /**
   * Stamped on the network thread when the call's headers arrive and again when each message has been
   * read; {@link #claim()}ed once, by the worker starting the call or by the timer refusing it. Holds the
   * call's place in the latency limit, if it took one, until the stream closes.
   */
  private static final class Arrival extends ServerStreamTracer {
    private final AtomicBoolean claimed = new AtomicBoolean();
    private volatile long nanos = System.nanoTime();
    private volatile boolean queued;
    private volatile QueueAdmission.Verdict refused;
    private volatile String why;
    private volatile ScheduledFuture<?> timer;
    private volatile boolean overLimit;
    private volatile LatencyLimit.Permit permit;
    private volatile boolean dropped;

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

    /** The answer is written (or the stream reset): the call's place in the latency limit is given back. */
    @Override
    public void streamClosed(Status status) {
      LatencyLimit.Permit held = permit;
      if (held == null) {
        return;
      }
      permit = null;
      if (dropped) {
        held.dropped();
      } else if (status.getCode() == Status.Code.CANCELLED) { // the client left: says nothing about latency
        held.ignored();
      } else {
        held.answered();
      }
    }
  }
}
