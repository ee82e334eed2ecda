/**
 * A Java client for Quiver's feature server, over HTTP (Feast's JSON) or gRPC (Feast's
 * {@code ServingService}); both return the same {@link dev.quiver.client.OnlineFeatures}. It depends on
 * neither the server nor Quiver's core, and also talks to a Feast feature server.
 *
 * <pre>{@code
 * try (FeatureClient client = FeatureClient.grpc("localhost", 6567)) {
 *   OnlineFeatures f = client.getOnlineFeatures(
 *       OnlineFeaturesRequest.service("fraud_model").entity("user_id", 1001L, 1002L));
 *   Object amount = f.value("amount_avg_30d", 0);
 * }
 * }</pre>
 */
package dev.quiver.client;
