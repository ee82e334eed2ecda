/**
 * The feature server: Feast-compatible HTTP/JSON ({@code /get-online-features}, {@code /push},
 * {@code /write-to-online-store}, {@code /materialize}) and gRPC ({@code feast.serving.ServingService})
 * front ends over one {@link dev.quiver.server.FeatureServing}, plus health, readiness, Prometheus metrics and a read-only catalogue. Each request is answered from
 * one registry version; a newly applied version is picked up without a restart.
 */
package dev.quiver.server;
