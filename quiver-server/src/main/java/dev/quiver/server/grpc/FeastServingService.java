package dev.quiver.server.grpc;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.QuiverException;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.grpc.feast.serving.GetFeastServingInfoRequest;
import dev.quiver.grpc.feast.serving.GetFeastServingInfoResponse;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponse;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.core.security.AccessDeniedException;
import dev.quiver.server.Caller;
import dev.quiver.server.FeatureServing;
import dev.quiver.server.ServerMetrics;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Feast's {@code ServingService} over {@link FeatureServing}. Errors map to status codes: a malformed
 * request {@code INVALID_ARGUMENT}, an unknown feature, view or service {@code NOT_FOUND}, a value
 * Feast's types cannot carry {@code FAILED_PRECONDITION}, too many calls in flight
 * {@code RESOURCE_EXHAUSTED}, a caller without the permission to read what it names {@code
 * PERMISSION_DENIED}, a failing store or an empty registry {@code UNAVAILABLE}; every message
 * names the problem. Thread-safe.
 */
final class FeastServingService extends ServingServiceGrpc.ServingServiceImplBase {
  private static final Logger LOG = Logger.getLogger(FeastServingService.class.getName());

  private final FeatureServing serving;
  private final ServerMetrics metrics;
  private final AtomicInteger inFlight;
  private final int maxInFlight;

  FeastServingService(FeatureServing serving, ServerMetrics metrics, AtomicInteger inFlight, int maxInFlight) {
    this.serving = serving;
    this.metrics = metrics;
    this.inFlight = inFlight;
    this.maxInFlight = maxInFlight;
  }

  @Override
  public void getFeastServingInfo(GetFeastServingInfoRequest request, StreamObserver<GetFeastServingInfoResponse> out) {
    long start = System.nanoTime();
    out.onNext(GetFeastServingInfoResponse.newBuilder().setVersion(serving.version()).build());
    out.onCompleted();
    metrics.request("grpc", "GetFeastServingInfo", "ok", System.nanoTime() - start);
  }

  @Override
  public void getOnlineFeatures(GetOnlineFeaturesRequest request, StreamObserver<GetOnlineFeaturesResponse> out) {
    answer(request, out, response -> FeastProto.response(request, response));
  }

  /**
   * As {@link #getOnlineFeatures}, answering the response's wire bytes written directly ({@link
   * FeastResponseBytes}: the same bytes, without a protobuf object per value); what the server binds.
   */
  void getOnlineFeaturesBytes(GetOnlineFeaturesRequest request, StreamObserver<byte[]> out) {
    answer(request, out, response -> FeastResponseBytes.encode(request, response));
  }

  private <R> void answer(GetOnlineFeaturesRequest request, StreamObserver<R> out, Function<OnlineResponse, R> encode) {
    long start = System.nanoTime();
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      metrics.shed("grpc", ServerMetrics.IN_FLIGHT);
      fail(out, Status.RESOURCE_EXHAUSTED.withDescription("the server is at its limit of " + maxInFlight
          + " calls in flight; retry with backoff"), start, "server_error");
      return;
    }
    try {
      out.onNext(encode.apply(serving.getOnlineFeatures(FeastProto.request(request), Caller.ofGrpc())));
      out.onCompleted();
      metrics.request("grpc", "GetOnlineFeatures", "ok", System.nanoTime() - start);
    } catch (NotFoundException e) {
      fail(out, Status.NOT_FOUND.withDescription(e.getMessage()), start, "client_error");
    } catch (InvalidRequestException e) {
      fail(out, Status.INVALID_ARGUMENT.withDescription(e.getMessage()), start, "client_error");
    } catch (AccessDeniedException e) {
      fail(out, Status.PERMISSION_DENIED.withDescription(e.getMessage()), start, "client_error");
    } catch (FeastProto.Unrepresentable e) {
      fail(out, Status.FAILED_PRECONDITION.withDescription(e.getMessage()), start, "server_error");
    } catch (QuiverException e) {
      fail(out, Status.UNAVAILABLE.withDescription(e.getMessage()), start, "server_error");
    } catch (RuntimeException | Error e) { // an Error too (a custom transform's NoClassDefFoundError): answered, counted
      LOG.log(Level.SEVERE, "GetOnlineFeatures failed unexpectedly", e);
      fail(out, Status.INTERNAL.withDescription("the server failed to answer: " + e), start, "server_error");
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void fail(StreamObserver<?> out, Status status, long start, String outcome) {
    String description = status.getDescription();
    out.onError((description == null ? status
        : status.withDescription(dev.quiver.core.load.Secrets.redact(description))).asRuntimeException());
    metrics.request("grpc", "GetOnlineFeatures", outcome, System.nanoTime() - start);
  }
}
