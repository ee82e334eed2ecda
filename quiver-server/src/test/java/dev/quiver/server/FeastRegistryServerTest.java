package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ListType;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.grpc.feast.core.DataSource;
import dev.quiver.grpc.feast.core.FeatureSpecV2;
import dev.quiver.grpc.feast.core.OnDemandFeatureView;
import dev.quiver.grpc.feast.registry.GetDataSourceRequest;
import dev.quiver.grpc.feast.registry.GetEntityRequest;
import dev.quiver.grpc.feast.registry.GetFeatureViewRequest;
import dev.quiver.grpc.feast.registry.GetOnDemandFeatureViewRequest;
import dev.quiver.grpc.feast.registry.ListAllFeatureViewsRequest;
import dev.quiver.grpc.feast.registry.ListDataSourcesRequest;
import dev.quiver.grpc.feast.registry.ListEntitiesRequest;
import dev.quiver.grpc.feast.registry.ListFeatureServicesRequest;
import dev.quiver.grpc.feast.registry.ListFeatureViewsRequest;
import dev.quiver.grpc.feast.registry.ListProjectsRequest;
import dev.quiver.grpc.feast.registry.RegistryServerGrpc;
import dev.quiver.grpc.feast.types.ValueType;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feast's {@code feast.registry.RegistryServer} on the gRPC port, through the generated stub (what Feast's
 * Python SDK calls): every RPC answers (reads) or is refused (changes), Quiver's definitions map to Feast's
 * objects on the test repo and on randomized definitions, unknown names and projects are {@code NOT_FOUND} with
 * Feast's error detail, and a new apply shows up.
 */
class FeastRegistryServerTest {
  /** RPCs of Feast's registry that Quiver does not serve: Feast's lineage, feature catalogue and dataset jobs. */
  static final Set<String> UNSERVED = Set.of("GetRegistryLineage", "GetObjectRelationships", "ListFeatures", "GetFeature",
      "GetDatasetData", "GetDatasetJobStatus", "ListDatasetJobs");

  @TempDir Path tmp;
  FeatureRepo repo;
  QuiverServer server;
  ManagedChannel channel;
  RegistryServerGrpc.RegistryServerBlockingStub stub;

  @BeforeEach
  void start() {
    repo = FeatureRepo.open(TestRepo.rocksdb(tmp.resolve("repo")));
    server = QuiverServer.start(repo, ServerOptions.loopback());
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    stub = RegistryServerGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    repo.close();
  }

  /** Calls a method with its request's default message (project set when it has one); the status code. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Status call(ManagedChannel channel, MethodDescriptor<?, ?> method, io.grpc.ClientInterceptor... interceptors) {
    Message prototype = (Message) ((MethodDescriptor.PrototypeMarshaller) method.getRequestMarshaller()).getMessagePrototype();
    Message.Builder b = prototype.newBuilderForType();
    var project = b.getDescriptorForType().findFieldByName("project");
    if (project != null && project.getType() == com.google.protobuf.Descriptors.FieldDescriptor.Type.STRING) {
      b.setField(project, "servertest");
    }
    try {
      io.grpc.Channel c = io.grpc.ClientInterceptors.intercept(channel, interceptors);
      ClientCalls.blockingUnaryCall(c, (MethodDescriptor) method, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
          b.build());
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  @Test
  void everyReadAnswersAndEveryChangeIsRefusedWithFeastsReadOnlyError() {
    List<String> refused = new ArrayList<>();
    for (var m : RegistryServerGrpc.getServiceDescriptor().getMethods()) {
      String name = m.getBareMethodName();
      Status s = call(channel, m);
      if (UNSERVED.contains(name)) {
        assertThat(s.getCode()).as(name).isEqualTo(Status.Code.UNIMPLEMENTED);
      } else if (name.startsWith("Apply") || name.startsWith("Delete") || name.equals("UpdateInfra")
          || name.equals("CreateDatasetFromRetrieval")) {
        assertThat(s.getCode()).as(name).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(s.getDescription()).contains("\"class\":\"ReadOnlyRegistryException\"", "'quiver plan' and 'quiver apply'");
        refused.add(name);
      } else if (name.startsWith("Get") && !name.equals("GetInfra") && !name.equals("GetProject")) {
        assertThat(s.getCode()).as(name + " of an empty name").isEqualTo(Status.Code.NOT_FOUND);
        assertThat(s.getDescription()).as(name).contains("\"module\":\"feast.errors\"", "does not exist");
      } else {
        assertThat(s.getCode()).as(name + ": " + s.getDescription()).isEqualTo(Status.Code.OK);
      }
    }
    assertThat(refused).contains("ApplyEntity", "ApplyFeatureView", "DeleteFeatureView", "ApplyMaterialization",
        "ApplyPermission", "DeleteProject", "UpdateInfra");
  }

  @Test
  void mapsTheTestRepo() {
    var entities = stub.listEntities(ListEntitiesRequest.newBuilder().setProject("servertest").build()).getEntitiesList();
    assertThat(entities).singleElement().satisfies(e -> {
      assertThat(e.getSpec().getName()).isEqualTo("user");
      assertThat(e.getSpec().getJoinKey()).isEqualTo("user_id");
      assertThat(e.getSpec().getValueType()).isEqualTo(ValueType.Enum.INT64);
    });
    var view = stub.getFeatureView(GetFeatureViewRequest.newBuilder().setProject("servertest").setName("user_stats").build());
    assertThat(view.getSpec().getFeaturesList()).extracting(FeatureSpecV2::getName, FeatureSpecV2::getValueType).containsExactly(
        org.assertj.core.groups.Tuple.tuple("amount", ValueType.Enum.DOUBLE), org.assertj.core.groups.Tuple.tuple("country", ValueType.Enum.STRING),
        org.assertj.core.groups.Tuple.tuple("visits", ValueType.Enum.INT64), org.assertj.core.groups.Tuple.tuple("vip", ValueType.Enum.BOOL),
        org.assertj.core.groups.Tuple.tuple("tags", ValueType.Enum.STRING_LIST),
        org.assertj.core.groups.Tuple.tuple("seen_at", ValueType.Enum.UNIX_TIMESTAMP));
    assertThat(view.getSpec().getTtl().getSeconds()).isEqualTo(Duration.ofDays(3650).toSeconds());
    assertThat(view.getSpec().getOwner()).isEqualTo("risk-team");
    assertThat(view.getSpec().getEntityColumnsList()).extracting(FeatureSpecV2::getName).containsExactly("user_id");
    assertThat(view.getSpec().getStreamSource().getType()).isEqualTo(DataSource.SourceType.PUSH_SOURCE);
    DataSource files = view.getSpec().getBatchSource();
    assertThat(files.getName()).isEqualTo("txns_files");
    assertThat(files.getFileOptions().getUri()).isEqualTo(tmp.resolve("repo/data/txns/*.parquet").toAbsolutePath().toString());
    assertThat(files.getTimestampField()).isEqualTo("event_ts");
    assertThat(files.getCreatedTimestampColumn()).isEqualTo("created_ts");
    assertThat(view.getMeta().getCreatedTimestamp().getSeconds()).isPositive();

    OnDemandFeatureView odv = stub.getOnDemandFeatureView(GetOnDemandFeatureViewRequest.newBuilder().setProject("servertest")
        .setName("txn_risk").build());
    assertThat(odv.getSpec().getSourcesMap()).containsOnlyKeys("user_stats", "txn_risk_request");
    assertThat(odv.getSpec().getSourcesMap().get("txn_risk_request").getRequestDataSource().getRequestDataOptions()
        .getSchemaList()).extracting(FeatureSpecV2::getName).containsExactly("txn_amount");
    assertThat(odv.getSpec().getFeatureTransformation().getUserDefinedFunction().getBodyText())
        .contains("raise RuntimeError", "computed by the Quiver server");
    assertThat(odv.getSpec().getFeaturesList()).extracting(FeatureSpecV2::getName).containsExactly("amount_ratio");

    var services = stub.listFeatureServices(ListFeatureServicesRequest.newBuilder().setProject("servertest").build())
        .getFeatureServicesList();
    assertThat(services).extracting(s -> s.getSpec().getName()).containsExactly("risk", "scoring");
    assertThat(services.get(0).getSpec().getFeaturesList()).extracting(p -> p.getFeatureViewName() + ":"
        + p.getFeatureColumnsList().stream().map(FeatureSpecV2::getName).collect(Collectors.joining(",")))
        .containsExactly("user_stats:amount", "txn_risk:amount_ratio");
    assertThat(stub.listDataSources(ListDataSourcesRequest.newBuilder().setProject("servertest").build()).getDataSourcesList())
        .extracting(DataSource::getName).containsExactly("txns", "txns_files", "txn_risk_request");
    assertThat(stub.getDataSource(GetDataSourceRequest.newBuilder().setProject("servertest").setName("txns").build()).getType())
        .isEqualTo(DataSource.SourceType.PUSH_SOURCE);
    assertThat(stub.listAllFeatureViews(ListAllFeatureViewsRequest.newBuilder().setProject("servertest").build())
        .getFeatureViewsCount()).isEqualTo(2);
    assertThat(stub.listProjects(ListProjectsRequest.getDefaultInstance()).getProjectsList())
        .extracting(p -> p.getSpec().getName()).containsExactly("servertest");
    assertThat(stub.proto(Empty.getDefaultInstance()).getFeatureViewsCount()).isEqualTo(1);
  }

  @Test
  void savedTrainingSetsAreSavedDatasets() {
    var request = dev.quiver.grpc.feast.registry.ListSavedDatasetsRequest.newBuilder().setProject("servertest").build();
    assertThat(stub.listSavedDatasets(request).getSavedDatasetsList()).isEmpty();
    java.time.Instant at = java.time.Instant.parse("2026-03-01T10:00:00Z");
    repo.registry().saveDataset(new dev.quiver.core.registry.DatasetRecord("fraud_train", 1,
        List.of(dev.quiver.core.model.FeatureRef.of("user_stats:amount"), dev.quiver.core.model.FeatureRef.of("txn_risk:amount_ratio")),
        null, false, "event_ts", dev.quiver.core.offline.QueryInput.Files.of("queries/q.parquet"), "sha256:00",
        Map.of(), "out/train.parquet", dev.quiver.core.model.FileFormat.PARQUET, "sha256:11", 42, "ana", at));
    var saved = stub.getSavedDataset(dev.quiver.grpc.feast.registry.GetSavedDatasetRequest.newBuilder()
        .setProject("servertest").setName("fraud_train").build());
    assertThat(saved.getSpec().getFeaturesList()).containsExactly("user_stats:amount", "txn_risk:amount_ratio");
    assertThat(saved.getSpec().getJoinKeysList()).containsExactly("user_id");
    assertThat(saved.getSpec().getStorage().getFileStorage().getUri())
        .isEqualTo(tmp.resolve("repo/out/train.parquet").toAbsolutePath().toString());
    assertThat(saved.getSpec().getTagsMap()).containsEntry("quiver.rows", "42").containsEntry("quiver.author", "ana")
        .containsEntry("quiver.registry_version", "1");
    assertThat(saved.getMeta().getCreatedTimestamp().getSeconds()).isEqualTo(at.getEpochSecond());
    assertThat(stub.listSavedDatasets(request).getSavedDatasetsList()).hasSize(1);
  }

  @Test
  void unknownNamesAndProjectsAreNotFoundInFeastsTerms() {
    assertThatThrownBy(() -> stub.getFeatureView(GetFeatureViewRequest.newBuilder().setProject("servertest").setName("nope").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).contains("\"class\":\"FeatureViewNotFoundException\"",
              "Feature view nope does not exist in project servertest");
        });
    assertThatThrownBy(() -> stub.getEntity(GetEntityRequest.newBuilder().setProject("elsewhere").setName("user").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getStatus().getDescription()).contains("ProjectObjectNotFoundException", "elsewhere",
              "serves project 'servertest'");
        });
  }

  @Test
  void aNewApplyShowsUpAndRandomizedDefinitionsMapFieldByField() throws Exception {
    Random random = new Random(22);
    for (int round = 0; round < 3; round++) {
      Files.writeString(tmp.resolve("repo/features/random.yaml"), randomViews(random, round));
      repo.apply(repo.plan(false), "test", "round " + round, true);
      server.refreshRegistry();
      Definitions d = repo.registry().read(repo.registry().head().orElseThrow().version()).definitions();
      Map<String, FeatureView> newest = new TreeMap<>();
      d.views().forEach(v -> newest.merge(v.name(), v, (a, b) -> a.version() >= b.version() ? a : b));
      var listed = stub.listFeatureViews(ListFeatureViewsRequest.newBuilder().setProject("servertest").build()).getFeatureViewsList();
      assertThat(listed).extracting(v -> v.getSpec().getName()).containsExactlyElementsOf(newest.keySet());
      for (var v : listed) {
        FeatureView ours = newest.get(v.getSpec().getName());
        assertThat(v.getSpec().getTagsMap()).containsAllEntriesOf(ours.metadata().tags())
            .containsEntry("quiver.version", Integer.toString(ours.version()));
        assertThat(v.getSpec().getOwner()).isEqualTo(ours.metadata().owner());
        assertThat(v.getSpec().getDescription()).isEqualTo(ours.metadata().description());
        assertThat(v.getSpec().getOnline()).isEqualTo(ours.online());
        assertThat(v.getSpec().getTtl().getSeconds()).isEqualTo(ours.ttl() == null ? 0 : ours.ttl().toSeconds());
        assertThat(v.getSpec().getFeaturesCount()).isEqualTo(ours.features().size());
        for (int i = 0; i < ours.features().size(); i++) {
          Feature f = ours.features().get(i);
          FeatureSpecV2 theirs = v.getSpec().getFeatures(i);
          assertThat(theirs.getName()).isEqualTo(f.name());
          assertThat(theirs.getValueType().name()).isEqualTo(expected(f.type()));
          assertThat(theirs.getTagsMap().get("quiver.kind")).isEqualTo(f instanceof ColumnFeature ? "column"
              : f instanceof AggregateFeature ? "aggregate" : "derived");
          if (f instanceof AggregateFeature a) {
            assertThat(theirs.getTagsMap()).containsEntry("quiver.function", a.aggregation().function().spelling())
                .containsEntry("quiver.window", a.aggregation().window().spelling());
          }
        }
      }
    }
  }

  /** Feast's ValueType of a Quiver type, written out independently of the server's mapping. */
  private static String expected(dev.quiver.core.model.ValueType type) {
    ScalarType s = type instanceof ListType l ? l.element() : (ScalarType) type;
    String base = switch (s) {
      case INT32, INT64, BOOL, STRING, BYTES -> s.name();
      case FLOAT32 -> "FLOAT";
      case FLOAT64 -> "DOUBLE";
      case TIMESTAMP -> "UNIX_TIMESTAMP";
    };
    return type instanceof ListType ? base + "_LIST" : base;
  }

  /** Views over the test data with random features, names, tags, owners, ttl and online flags. */
  private static String randomViews(Random random, int round) {
    String[] columns = {"amount", "country", "visits", "vip", "tags", "seen_at"};
    String[] functions = {"sum", "avg", "max", "min", "count"};
    StringBuilder y = new StringBuilder("feature_views:\n");
    int views = 1 + random.nextInt(4);
    for (int v = 0; v < views; v++) {
      y.append("  - name: random_").append(v).append('\n')
          .append("    entities: [user]\n    source: txns\n")
          .append("    ttl: ").append(1 + random.nextInt(400)).append("d\n")
          .append("    online: ").append(random.nextBoolean()).append('\n')
          .append("    owner: team-").append(random.nextInt(5)).append('\n')
          .append("    description: round ").append(round).append(" view ").append(v).append('\n')
          .append("    tags: {round: \"").append(round).append("\", k").append(random.nextInt(9)).append(": v}\n")
          .append("    features:\n");
      int features = 1 + random.nextInt(5);
      for (int f = 0; f < features; f++) {
        if (random.nextInt(3) == 0) {
          String fn = functions[random.nextInt(functions.length)];
          y.append("      - name: agg_").append(f).append('\n').append("        aggregate: {fn: ").append(fn)
              .append(fn.equals("count") ? "" : ", column: amount").append(", window: ").append(1 + random.nextInt(30))
              .append("d}\n");
        } else {
          y.append("      - {name: f_").append(f).append(", column: ").append(columns[random.nextInt(columns.length)])
              .append("}\n");
        }
      }
    }
    return y.toString();
  }
}
