/**
 * The gRPC front end: Feast's {@code feast.serving.ServingService} ({@code GetFeastServingInfo},
 * {@code GetOnlineFeatures}) over the same {@link dev.quiver.server.FeatureServing} the HTTP front end
 * calls, so both protocols give the same answers, and Feast's read-only {@code feast.registry.RegistryServer}
 * over the served registry version ({@link dev.quiver.server.RegistryReads}). The wire types come from
 * {@code quiver-grpc-api}.
 */
package dev.quiver.server.grpc;
