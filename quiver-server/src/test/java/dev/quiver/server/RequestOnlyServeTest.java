package dev.quiver.server;

import static dev.quiver.server.HttpServerTest.names;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.feast.FeastClient;
import dev.feast.Row;
import dev.quiver.client.FeatureClient;
import dev.quiver.client.GrpcFeatureClient;
import dev.quiver.client.HttpFeatureClient;
import dev.quiver.client.OnlineFeatures;
import dev.quiver.client.OnlineFeaturesRequest;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.grpc.feast.serving.FieldStatus;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesRequest;
import dev.quiver.grpc.feast.serving.GetOnlineFeaturesResponse;
import dev.quiver.grpc.feast.serving.ServingServiceGrpc;
import dev.quiver.grpc.feast.types.RepeatedValue;
import dev.quiver.grpc.feast.types.Value;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An on-demand view that reads request data alone ({@code fee}, no feature view in its inputs),
 * served: over HTTP with the request data as columns of {@code entities} (as Feast's clients send
 * it) or in {@code request_context} beside empty {@code entities}, mixed with a view's features and
 * in a feature service; over gRPC through Feast's generated stub and Feast's own Java client; and
 * through Quiver's Java client over both protocols.
 */
class RequestOnlyServeTest {
  static final String FEES = """
      on_demand_views:
        - name: fee
          inputs: [request: {amount: float64, card_country: string}]
          features:
            - {name: fee, expr: "round(request.amount * 0.029 + 0.3, 2)"}
            - {name: foreign, expr: "request.card_country != 'DE'"}
      feature_services:
        - {name: pricing, features: ["fee:fee", "user_stats:amount"]}
      """;

  @TempDir static Path tmp;
  static FeatureRepo repo;
  static QuiverServer server;
  static Http http;
  static ManagedChannel channel;
  static ServingServiceGrpc.ServingServiceBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    Path root = TestRepo.rocksdb(tmp.resolve("repo"));
    Files.writeString(root.resolve("features/fees.yaml"), FEES);
    repo = FeatureRepo.open(root);
    repo.apply(repo.plan(false), "test", "a fee from request data alone", false);
    server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, 0));
    http = new Http(server.httpPort());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    stub = ServingServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    http.close();
    server.close();
    repo.close();
  }

  private static JsonNode ok(String body) {
    Http.Reply r = http.post("/get-online-features", body);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  @Test
  void httpTakesRequestDataAsEntityColumnsAsFeastSendsIt() {
    JsonNode feast = ok("""
        {"features": ["fee:fee", "fee:foreign"], "entities": {"amount": [10.5, 100.0], "card_country": ["DE", "FR"]}}""");
    assertThat(names(feast)).as("request data is not echoed").containsExactly("fee", "foreign");
    assertThat(feast.get("results").get(0).get("values").toString()).isEqualTo("[0.6,3.2]");
    assertThat(feast.get("results").get(0).get("statuses").toString()).isEqualTo("[\"PRESENT\",\"PRESENT\"]");
    assertThat(feast.get("results").get(1).get("values").toString()).isEqualTo("[false,true]");

    JsonNode context = ok("""
        {"features": ["fee:fee", "fee:foreign"], "entities": {},
         "request_context": {"amount": [10.5, 100.0], "card_country": ["DE", "FR"]}}""");
    assertThat(context).isEqualTo(feast);
  }

  @Test
  void httpMixesItWithViewsAndServesItInAFeatureService() {
    JsonNode mixed = ok("""
        {"features": ["user_stats:amount", "fee:fee"], "full_feature_names": true,
         "entities": {"user_id": [2, 999999], "amount": [10.5, 100.0]}}""");
    assertThat(names(mixed)).containsExactly("user_id", "user_stats__amount", "fee__fee");
    assertThat(mixed.get("results").get(1).get("values").toString()).isEqualTo("[3.0,null]");
    assertThat(mixed.get("results").get(1).get("statuses").toString()).isEqualTo("[\"PRESENT\",\"NOT_FOUND\"]");
    assertThat(mixed.get("results").get(2).get("values").toString()).isEqualTo("[0.6,3.2]");

    JsonNode service = ok("""
        {"feature_service": "pricing", "entities": {"user_id": [2], "amount": [100.0]},
         "include_feature_view_version_metadata": true}""");
    assertThat(names(service)).containsExactly("user_id", "fee", "amount");
    assertThat(service.get("results").get(1).get("values").toString()).isEqualTo("[3.2]");
    assertThat(service.get("metadata").get("feature_view_metadata").toString())
        .as("only the feature view is read").isEqualTo("[{\"name\":\"user_stats\",\"version\":1}]");
  }

  @Test
  void httpNamesMissingRequestData() {
    Http.Reply none = http.post("/get-online-features", "{\"features\": [\"fee:fee\"], \"entities\": {}}");
    FeastHttpTest.feastError(none, 400, "RequestDataNotFoundInEntityRowsException",
        "on-demand view fee@v1 needs request field 'amount' (float64), as an entity column or in the request context;"
            + " the request has neither");
    Http.Reply typo = http.post("/get-online-features", "{\"features\": [\"fee:fee\"], \"entities\": {\"amout\": [1.0]}}");
    HttpServerTest.expect(typo, 400, "invalid_request", "entity column 'amout' is neither a join key of the views read"
        + " (none) nor a request field of the requested on-demand views (amount, card_country)");
  }

  @Test
  void aReadWithoutEntitiesSaysEmptyEntitiesWillDo() {
    HttpServerTest.expect(http.post("/get-online-features", """
        {"features": ["fee:fee"], "request_context": {"amount": [1.0]}}"""), 400, "invalid_request",
        "the request has no 'entities': give the join key columns, e.g. \"entities\": {\"user_id\": [1001, 1002]}"
            + " (\"entities\": {} when the features read only request data, given in request_context)");
  }

  @Test
  void grpcTakesRequestDataInEntitiesOrInTheRequestContext() {
    RepeatedValue amounts = RepeatedValue.newBuilder().addVal(Value.newBuilder().setDoubleVal(10.5))
        .addVal(Value.newBuilder().setDoubleVal(100.0)).build();
    GetOnlineFeaturesRequest.Builder request = GrpcServerTest.features("fee:fee");
    GetOnlineFeaturesResponse asEntities = stub.getOnlineFeatures(request.clone().putEntities("amount", amounts).build());
    assertThat(asEntities.getMetadata().getFeatureNames().getValList()).containsExactly("fee");
    assertThat(asEntities.getResults(0).getValuesList()).extracting(Value::getDoubleVal).containsExactly(0.6, 3.2);
    assertThat(asEntities.getResults(0).getStatusesList()).containsOnly(FieldStatus.PRESENT);
    GetOnlineFeaturesResponse asContext = stub.getOnlineFeatures(request.clone().putRequestContext("amount", amounts).build());
    assertThat(asContext).isEqualTo(asEntities);
  }

  @Test
  void quiversJavaClientSendsRequestDataAloneOverBothProtocols() {
    OnlineFeaturesRequest request = OnlineFeaturesRequest.features("fee:fee", "fee:foreign")
        .requestData("amount", 10.5, 100.0).requestData("card_country", "DE", "FR");
    try (GrpcFeatureClient grpc = FeatureClient.grpc("127.0.0.1", server.grpcPort());
        HttpFeatureClient http = FeatureClient.http("http://127.0.0.1:" + server.httpPort())) {
      for (FeatureClient client : List.of(grpc, http)) {
        OnlineFeatures answer = client.getOnlineFeatures(request);
        assertThat(answer.names()).as(client.toString()).containsExactly("fee", "foreign");
        assertThat(answer.rows()).isEqualTo(2);
        assertThat(answer.column("fee").values()).containsExactly(0.6, 3.2);
        assertThat(answer.column("foreign").values()).containsExactly(false, true);
      }
    }
  }

  @Test
  void feastsJavaClientSendsRequestDataAloneInTheEntityRows() throws Exception {
    try (FeastClient feast = FeastClient.create("127.0.0.1", server.grpcPort())) {
      List<Row> rows = feast.getOnlineFeatures(List.of("fee:fee"),
          List.of(Row.create().set("amount", 10.5), Row.create().set("amount", 100.0)));
      assertThat(rows).extracting(row -> row.getDouble("fee")).containsExactly(0.6, 3.2);
    }
  }
}
