package dev.quiver.server.flight;

import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.Guard;
import dev.quiver.server.ServerMetrics;
import io.grpc.BindableService;
import io.grpc.Context;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flight.FlightGrpcUtils;
import org.apache.arrow.flight.auth.ServerAuthHandler;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Feast's remote offline store (Arrow Flight) as a gRPC service for the server's gRPC port: Feast's
 * {@code offline_store: {type: remote, host, port}} pointed at that port gets training sets computed
 * by the repo's offline engine. Callers are authenticated by the port's interceptors, as for the
 * other gRPC services ({@link dev.quiver.server.Caller#GRPC}); each training set needs {@code
 * read_offline} on every view it reads. Uploaded entity rows go to a scratch directory for the length
 * of one call. Close it after the gRPC server stopped. Thread-safe.
 */
public final class OfflineFlight implements AutoCloseable {
  private final BufferAllocator allocator;
  private final ExecutorService calls;
  private final BindableService service;

  private OfflineFlight(FeatureRepo repo, Guard guard, ServerMetrics metrics, Path scratch) {
    // explicitly Arrow's Unsafe allocator: Spark (in the CLI) brings Arrow's Netty one, which fails on Netty 4.2 with JDK 25
    this.allocator = new RootAllocator(RootAllocator.configBuilder()
        .allocationManagerFactory(org.apache.arrow.memory.unsafe.UnsafeAllocationManager.FACTORY).build());
    this.calls = new CallerContextExecutor(Executors.newThreadPerTaskExecutor(
        Thread.ofVirtual().name("quiver-flight-", 1).factory()));
    this.service = FlightGrpcUtils.createFlightService(allocator, new OfflineProducer(repo, guard, metrics, allocator, scratch),
        ServerAuthHandler.NO_OP, calls);
  }

  /**
   * @param scratch where uploaded entity rows are written while a call runs (created on demand)
   */
  public static OfflineFlight create(FeatureRepo repo, Guard guard, ServerMetrics metrics, Path scratch) {
    return new OfflineFlight(repo, guard, metrics, scratch);
  }

  /** The service to add to a gRPC server. */
  public BindableService service() {
    return service;
  }

  @Override
  public void close() {
    calls.shutdownNow();
    try {
      calls.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      allocator.close();
    } catch (IllegalStateException e) {
      java.util.logging.Logger.getLogger(OfflineFlight.class.getName()).warning("Arrow memory still held at close: " + e.getMessage());
    }
  }

  /**
   * Runs Flight's call tasks in the gRPC context of the call that submitted them, so the producer
   * sees the call's authenticated {@link dev.quiver.server.Caller}.
   */
  private static final class CallerContextExecutor extends AbstractExecutorService {
    private final ExecutorService delegate;

    CallerContextExecutor(ExecutorService delegate) {
      this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
      delegate.execute(Context.current().wrap(task));
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return delegate.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }
  }
}
