/**
 * The HTTP/1.1 front end on Netty: Feast's JSON for {@code /get-online-features}, {@code /push},
 * {@code /write-to-online-store} and materialization (with Feast's error body on those routes),
 * health, readiness, Prometheus metrics and the {@code /api/v1} catalogue. Protocol
 * mapping only; the work is done by {@link dev.quiver.server.FeatureServing} and
 * {@link dev.quiver.server.ServerOperations}.
 */
package dev.quiver.server.http;
