/**
 * The HTTP/1.1 front end on Netty: Feast's JSON for {@code /get-online-features} and {@code /push},
 * materialization, health, readiness, Prometheus metrics and the {@code /api/v1} catalogue. Protocol
 * mapping only; the work is done by {@link dev.quiver.server.FeatureServing} and
 * {@link dev.quiver.server.ServerOperations}.
 */
package dev.quiver.server.http;
