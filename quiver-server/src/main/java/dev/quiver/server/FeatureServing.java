package dev.quiver.server;

import dev.quiver.core.online.OnlineResponse;

/**
 * What every protocol front end of the feature server calls: one online read against the registry
 * version that is current when the call starts (a new version applied meanwhile is seen by later
 * calls only). Thread-safe.
 *
 * <p>Errors: {@link dev.quiver.core.InvalidRequestException} for a malformed request (wrong key type,
 * columns of different lengths, too many entities, bad refs), {@link dev.quiver.core.NotFoundException}
 * for an unknown feature, view or service (both the caller's fault: HTTP 4xx, gRPC
 * {@code INVALID_ARGUMENT}/{@code NOT_FOUND}); any other {@link dev.quiver.core.QuiverException} means
 * the store or registry failed (HTTP 503, gRPC {@code UNAVAILABLE}).
 */
public interface FeatureServing {

  /** Reads the requested features for every entity row; values come back in request order. */
  OnlineResponse getOnlineFeatures(OnlineRequest request);

  /**
   * Reads for a caller: checks first that the caller may {@code read_online} each view, on-demand
   * view or service the request names ({@link dev.quiver.core.security.AccessDeniedException}
   * otherwise). Without authorization this is {@link #getOnlineFeatures(OnlineRequest)}.
   */
  default OnlineResponse getOnlineFeatures(OnlineRequest request, Caller caller) {
    return getOnlineFeatures(request);
  }

  /** The server's version string (Quiver's), as {@code GetFeastServingInfo} reports it. */
  String version();

  /**
   * True when reads may run on the protocol's I/O threads (the store is {@link
   * dev.quiver.core.online.OnlineStore#inProcess() in-process}): no hand-off to a worker and back.
   */
  default boolean readsInline() {
    return false;
  }
}
