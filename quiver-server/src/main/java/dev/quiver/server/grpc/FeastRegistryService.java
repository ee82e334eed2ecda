package dev.quiver.server.grpc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Empty;
import dev.quiver.core.QuiverException;
import dev.quiver.core.registry.DatasetRecord;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.security.AccessDeniedException;
import dev.quiver.core.security.Action;
import dev.quiver.grpc.feast.core.DataSource;
import dev.quiver.grpc.feast.core.Entity;
import dev.quiver.grpc.feast.core.FeatureService;
import dev.quiver.grpc.feast.core.FeatureView;
import dev.quiver.grpc.feast.core.Infra;
import dev.quiver.grpc.feast.core.LabelView;
import dev.quiver.grpc.feast.core.OnDemandFeatureView;
import dev.quiver.grpc.feast.core.Permission;
import dev.quiver.grpc.feast.core.Project;
import dev.quiver.grpc.feast.core.ProjectMetadata;
import dev.quiver.grpc.feast.core.Registry;
import dev.quiver.grpc.feast.core.SavedDataset;
import dev.quiver.grpc.feast.core.StreamFeatureView;
import dev.quiver.grpc.feast.core.ValidationReference;
import dev.quiver.grpc.feast.registry.AnyFeatureView;
import dev.quiver.grpc.feast.registry.GetAnyFeatureViewRequest;
import dev.quiver.grpc.feast.registry.GetAnyFeatureViewResponse;
import dev.quiver.grpc.feast.registry.GetDataSourceRequest;
import dev.quiver.grpc.feast.registry.GetEntityRequest;
import dev.quiver.grpc.feast.registry.GetFeatureServiceRequest;
import dev.quiver.grpc.feast.registry.GetFeatureViewRequest;
import dev.quiver.grpc.feast.registry.GetInfraRequest;
import dev.quiver.grpc.feast.registry.GetLabelViewRequest;
import dev.quiver.grpc.feast.registry.GetOnDemandFeatureViewRequest;
import dev.quiver.grpc.feast.registry.GetPermissionRequest;
import dev.quiver.grpc.feast.registry.GetProjectRequest;
import dev.quiver.grpc.feast.registry.GetSavedDatasetRequest;
import dev.quiver.grpc.feast.registry.GetStreamFeatureViewRequest;
import dev.quiver.grpc.feast.registry.GetValidationReferenceRequest;
import dev.quiver.grpc.feast.registry.ListAllFeatureViewsRequest;
import dev.quiver.grpc.feast.registry.ListAllFeatureViewsResponse;
import dev.quiver.grpc.feast.registry.ListDataSourcesRequest;
import dev.quiver.grpc.feast.registry.ListDataSourcesResponse;
import dev.quiver.grpc.feast.registry.ListEntitiesRequest;
import dev.quiver.grpc.feast.registry.ListEntitiesResponse;
import dev.quiver.grpc.feast.registry.ListFeatureServicesRequest;
import dev.quiver.grpc.feast.registry.ListFeatureServicesResponse;
import dev.quiver.grpc.feast.registry.ListFeatureViewsRequest;
import dev.quiver.grpc.feast.registry.ListFeatureViewsResponse;
import dev.quiver.grpc.feast.registry.ListLabelViewsRequest;
import dev.quiver.grpc.feast.registry.ListLabelViewsResponse;
import dev.quiver.grpc.feast.registry.ListOnDemandFeatureViewsRequest;
import dev.quiver.grpc.feast.registry.ListOnDemandFeatureViewsResponse;
import dev.quiver.grpc.feast.registry.ListPermissionsRequest;
import dev.quiver.grpc.feast.registry.ListPermissionsResponse;
import dev.quiver.grpc.feast.registry.ListProjectMetadataRequest;
import dev.quiver.grpc.feast.registry.ListProjectMetadataResponse;
import dev.quiver.grpc.feast.registry.ListProjectsRequest;
import dev.quiver.grpc.feast.registry.ListProjectsResponse;
import dev.quiver.grpc.feast.registry.ListSavedDatasetsRequest;
import dev.quiver.grpc.feast.registry.ListSavedDatasetsResponse;
import dev.quiver.grpc.feast.registry.ListStreamFeatureViewsRequest;
import dev.quiver.grpc.feast.registry.ListStreamFeatureViewsResponse;
import dev.quiver.grpc.feast.registry.ListValidationReferencesRequest;
import dev.quiver.grpc.feast.registry.ListValidationReferencesResponse;
import dev.quiver.grpc.feast.registry.RefreshRequest;
import dev.quiver.grpc.feast.registry.RegistryServerGrpc;
import dev.quiver.server.Caller;
import dev.quiver.server.RegistryReads;
import dev.quiver.server.ServerMetrics;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Feast's {@code feast.registry.RegistryServer}, read-only, over the registry version the server serves
 * ({@link FeastRegistryMapping} says what maps to what): a Feast SDK with {@code registry: {registry_type:
 * remote, path: HOST:GRPC_PORT}} lists and gets Quiver's definitions. Lists hold what the caller may {@code
 * describe}; a get of something the caller may not describe is {@code PERMISSION_DENIED}. Every {@code Apply*},
 * {@code Delete*}, {@code UpdateInfra} and {@code CreateDatasetFromRetrieval} is refused with {@code
 * FAILED_PRECONDITION}: Quiver's registry changes with {@code quiver plan}/{@code quiver apply}.
 *
 * <p>Errors carry Feast's error detail (JSON naming a {@code feast.errors} class), so the SDK raises Feast's
 * own exceptions: {@code FeatureViewNotFoundException}, {@code ProjectObjectNotFoundException}, {@code
 * ReadOnlyRegistryException}, {@code FeastPermissionError}. Thread-safe.
 */
final class FeastRegistryService extends RegistryServerGrpc.RegistryServerImplBase {
  private static final Logger LOG = Logger.getLogger(FeastRegistryService.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String READ_ONLY = "Quiver's registry is read-only through Feast: definitions are changed with"
      + " 'quiver plan' and 'quiver apply' on the feature repo";

  private record Cached(long version, List<DatasetRecord> datasets, FeastRegistryMapping.Catalog catalog) {}

  private final RegistryReads reads;
  private final ServerMetrics metrics;
  private final AtomicReference<Cached> cache = new AtomicReference<>();

  FeastRegistryService(RegistryReads reads, ServerMetrics metrics) {
    this.reads = reads;
    this.metrics = metrics;
  }

  /** A Feast error: its gRPC status, the {@code feast.errors} class the SDK raises, and the message. */
  static final class FeastError extends RuntimeException {
    final Status.Code code;
    final String feastClass;

    FeastError(Status.Code code, String feastClass, String message) {
      super(message, null, false, false);
      this.code = code;
      this.feastClass = feastClass;
    }
  }

  private FeastRegistryMapping.Catalog catalog() {
    RegistrySnapshot snapshot = reads.applied().orElseThrow(() ->
        new QuiverException("the registry is empty: nothing to list until 'quiver apply' records a version"));
    List<DatasetRecord> datasets = reads.datasets();
    Cached c = cache.get();
    if (c == null || c.version() != snapshot.info().version() || !c.datasets().equals(datasets)) {
      c = new Cached(snapshot.info().version(), datasets, FeastRegistryMapping.map(snapshot, datasets, reads.root()));
      cache.set(c);
    }
    return c.catalog();
  }

  /** The catalogue of {@code project}, or NOT_FOUND naming the project this server serves. */
  private FeastRegistryMapping.Catalog catalog(String project) {
    FeastRegistryMapping.Catalog c = catalog();
    if (!project.isEmpty() && !project.equals(c.project())) {
      throw new FeastError(Status.Code.NOT_FOUND, "ProjectObjectNotFoundException", "Project " + project
          + " does not exist; this Quiver server serves project '" + c.project() + "' (set project: " + c.project()
          + " in feature_store.yaml)");
    }
    return c;
  }

  private boolean visible(FeastRegistryMapping.Item<?> item) {
    return reads.guard().permits(Caller.ofGrpc(), Action.DESCRIBE, item.resource());
  }

  private <T> List<T> list(List<FeastRegistryMapping.Item<T>> items, Map<String, String> tags, Function<T, Map<String, String>> tagsOf) {
    return items.stream().filter(this::visible)
        .filter(i -> tagsOf.apply(i.proto()).entrySet().containsAll(tags.entrySet()))
        .map(FeastRegistryMapping.Item::proto).toList();
  }

  private <T> T get(List<FeastRegistryMapping.Item<T>> items, String name, String project, String feastClass, String what) {
    for (FeastRegistryMapping.Item<T> i : items) {
      if (i.name().equals(name)) {
        reads.guard().check(Caller.ofGrpc(), Action.DESCRIBE, List.of(i.resource()));
        return i.proto();
      }
    }
    throw notFound(feastClass, what, name, project);
  }

  private static FeastError notFound(String feastClass, String what, String name, String project) {
    return new FeastError(Status.Code.NOT_FOUND, feastClass, what + " " + name + " does not exist in project " + project);
  }

  /** Answers one call: the reply, or the error as a status with Feast's error detail; counted per method. */
  private <T> void answer(String method, StreamObserver<T> out, Supplier<T> reply) {
    long start = System.nanoTime();
    String outcome = "ok";
    try {
      T value = reply.get();
      out.onNext(value);
      out.onCompleted();
    } catch (FeastError e) {
      outcome = "client_error";
      out.onError(status(e.code, e.feastClass, e.getMessage()));
    } catch (AccessDeniedException e) {
      outcome = "client_error";
      out.onError(status(Status.Code.PERMISSION_DENIED, "FeastPermissionError", e.getMessage()));
    } catch (QuiverException e) {
      outcome = "server_error";
      out.onError(status(Status.Code.UNAVAILABLE, "FeastError", e.getMessage()));
    } catch (RuntimeException e) {
      outcome = "server_error";
      LOG.log(Level.SEVERE, method + " failed unexpectedly", e);
      out.onError(status(Status.Code.INTERNAL, "FeastError", "the server failed to answer " + method + ": " + e));
    } finally {
      metrics.request("grpc", method, outcome, System.nanoTime() - start);
    }
  }

  /** Feast's error detail: the SDK's interceptor raises {@code feast.errors.<feastClass>} with this message. */
  static io.grpc.StatusRuntimeException status(Status.Code code, String feastClass, String message) {
    ObjectNode detail = JSON.createObjectNode();
    detail.put("module", "feast.errors");
    detail.put("class", feastClass);
    detail.put("message", dev.quiver.core.load.Secrets.redact(message));
    return Status.fromCode(code).withDescription(detail.toString()).asRuntimeException();
  }

  // ---- entities, sources, views, services, datasets

  @Override
  public void getEntity(GetEntityRequest r, StreamObserver<Entity> out) {
    answer("GetEntity", out, () -> get(catalog(r.getProject()).entities(), r.getName(), r.getProject(),
        "EntityNotFoundException", "Entity"));
  }

  @Override
  public void listEntities(ListEntitiesRequest r, StreamObserver<ListEntitiesResponse> out) {
    answer("ListEntities", out, () -> ListEntitiesResponse.newBuilder()
        .addAllEntities(list(catalog(r.getProject()).entities(), r.getTagsMap(), e -> e.getSpec().getTagsMap())).build());
  }

  @Override
  public void getDataSource(GetDataSourceRequest r, StreamObserver<DataSource> out) {
    answer("GetDataSource", out, () -> get(catalog(r.getProject()).sources(), r.getName(), r.getProject(),
        "DataSourceObjectNotFoundException", "Data source"));
  }

  @Override
  public void listDataSources(ListDataSourcesRequest r, StreamObserver<ListDataSourcesResponse> out) {
    answer("ListDataSources", out, () -> ListDataSourcesResponse.newBuilder()
        .addAllDataSources(list(catalog(r.getProject()).sources(), r.getTagsMap(), DataSource::getTagsMap)).build());
  }

  @Override
  public void getFeatureView(GetFeatureViewRequest r, StreamObserver<FeatureView> out) {
    answer("GetFeatureView", out, () -> get(catalog(r.getProject()).views(), r.getName(), r.getProject(),
        "FeatureViewNotFoundException", "Feature view"));
  }

  @Override
  public void listFeatureViews(ListFeatureViewsRequest r, StreamObserver<ListFeatureViewsResponse> out) {
    answer("ListFeatureViews", out, () -> ListFeatureViewsResponse.newBuilder()
        .addAllFeatureViews(list(catalog(r.getProject()).views(), r.getTagsMap(), v -> v.getSpec().getTagsMap())).build());
  }

  @Override
  public void getOnDemandFeatureView(GetOnDemandFeatureViewRequest r, StreamObserver<OnDemandFeatureView> out) {
    answer("GetOnDemandFeatureView", out, () -> get(catalog(r.getProject()).onDemandViews(), r.getName(), r.getProject(),
        "OnDemandFeatureViewNotFoundException", "On demand feature view"));
  }

  @Override
  public void listOnDemandFeatureViews(ListOnDemandFeatureViewsRequest r, StreamObserver<ListOnDemandFeatureViewsResponse> out) {
    answer("ListOnDemandFeatureViews", out, () -> ListOnDemandFeatureViewsResponse.newBuilder().addAllOnDemandFeatureViews(
        list(catalog(r.getProject()).onDemandViews(), r.getTagsMap(), v -> v.getSpec().getTagsMap())).build());
  }

  @Override
  public void getAnyFeatureView(GetAnyFeatureViewRequest r, StreamObserver<GetAnyFeatureViewResponse> out) {
    answer("GetAnyFeatureView", out, () -> {
      FeastRegistryMapping.Catalog c = catalog(r.getProject());
      AnyFeatureView.Builder any = AnyFeatureView.newBuilder();
      if (c.views().stream().anyMatch(i -> i.name().equals(r.getName()))) {
        any.setFeatureView(get(c.views(), r.getName(), r.getProject(), "FeatureViewNotFoundException", "Feature view"));
      } else {
        any.setOnDemandFeatureView(get(c.onDemandViews(), r.getName(), r.getProject(), "FeatureViewNotFoundException",
            "Feature view"));
      }
      return GetAnyFeatureViewResponse.newBuilder().setAnyFeatureView(any).build();
    });
  }

  @Override
  public void listAllFeatureViews(ListAllFeatureViewsRequest r, StreamObserver<ListAllFeatureViewsResponse> out) {
    answer("ListAllFeatureViews", out, () -> {
      FeastRegistryMapping.Catalog c = catalog(r.getProject());
      ListAllFeatureViewsResponse.Builder b = ListAllFeatureViewsResponse.newBuilder();
      for (FeatureView v : list(c.views(), r.getTagsMap(), v -> v.getSpec().getTagsMap())) {
        if ((r.getEntity().isEmpty() || v.getSpec().getEntitiesList().contains(r.getEntity()))
            && (r.getFeature().isEmpty() || v.getSpec().getFeaturesList().stream().anyMatch(f -> f.getName().equals(r.getFeature())))) {
          b.addFeatureViews(AnyFeatureView.newBuilder().setFeatureView(v));
        }
      }
      for (OnDemandFeatureView v : list(c.onDemandViews(), r.getTagsMap(), v -> v.getSpec().getTagsMap())) {
        if (r.getEntity().isEmpty()
            && (r.getFeature().isEmpty() || v.getSpec().getFeaturesList().stream().anyMatch(f -> f.getName().equals(r.getFeature())))) {
          b.addFeatureViews(AnyFeatureView.newBuilder().setOnDemandFeatureView(v));
        }
      }
      return b.build();
    });
  }

  @Override
  public void getStreamFeatureView(GetStreamFeatureViewRequest r, StreamObserver<StreamFeatureView> out) {
    answer("GetStreamFeatureView", out, () -> {
      catalog(r.getProject());
      throw notFound("FeatureViewNotFoundException", "Stream feature view", r.getName(), r.getProject()
          + " (Quiver's views over Kafka sources are feature views with a KafkaSource stream source)");
    });
  }

  @Override
  public void listStreamFeatureViews(ListStreamFeatureViewsRequest r, StreamObserver<ListStreamFeatureViewsResponse> out) {
    answer("ListStreamFeatureViews", out, () -> {
      catalog(r.getProject());
      return ListStreamFeatureViewsResponse.getDefaultInstance();
    });
  }

  @Override
  public void getLabelView(GetLabelViewRequest r, StreamObserver<LabelView> out) {
    answer("GetLabelView", out, () -> {
      catalog(r.getProject());
      throw notFound("FeatureViewNotFoundException", "Label view", r.getName(), r.getProject());
    });
  }

  @Override
  public void listLabelViews(ListLabelViewsRequest r, StreamObserver<ListLabelViewsResponse> out) {
    answer("ListLabelViews", out, () -> {
      catalog(r.getProject());
      return ListLabelViewsResponse.getDefaultInstance();
    });
  }

  @Override
  public void getFeatureService(GetFeatureServiceRequest r, StreamObserver<FeatureService> out) {
    answer("GetFeatureService", out, () -> get(catalog(r.getProject()).services(), r.getName(), r.getProject(),
        "FeatureServiceNotFoundException", "Feature service"));
  }

  @Override
  public void listFeatureServices(ListFeatureServicesRequest r, StreamObserver<ListFeatureServicesResponse> out) {
    answer("ListFeatureServices", out, () -> ListFeatureServicesResponse.newBuilder().addAllFeatureServices(
        list(catalog(r.getProject()).services(), r.getTagsMap(), s -> s.getSpec().getTagsMap())).build());
  }

  @Override
  public void getSavedDataset(GetSavedDatasetRequest r, StreamObserver<SavedDataset> out) {
    answer("GetSavedDataset", out, () -> get(catalog(r.getProject()).datasets(), r.getName(), r.getProject(),
        "SavedDatasetNotFound", "Saved dataset"));
  }

  @Override
  public void listSavedDatasets(ListSavedDatasetsRequest r, StreamObserver<ListSavedDatasetsResponse> out) {
    answer("ListSavedDatasets", out, () -> ListSavedDatasetsResponse.newBuilder().addAllSavedDatasets(
        list(catalog(r.getProject()).datasets(), r.getTagsMap(), d -> d.getSpec().getTagsMap())).build());
  }

  @Override
  public void getValidationReference(GetValidationReferenceRequest r, StreamObserver<ValidationReference> out) {
    answer("GetValidationReference", out, () -> {
      catalog(r.getProject());
      throw new FeastError(Status.Code.NOT_FOUND, "ValidationReferenceNotFound", "Validation reference " + r.getName()
          + " does not exist in project " + r.getProject() + " (Quiver keeps no validation references)");
    });
  }

  @Override
  public void listValidationReferences(ListValidationReferencesRequest r, StreamObserver<ListValidationReferencesResponse> out) {
    answer("ListValidationReferences", out, () -> {
      catalog(r.getProject());
      return ListValidationReferencesResponse.getDefaultInstance();
    });
  }

  @Override
  public void getPermission(GetPermissionRequest r, StreamObserver<Permission> out) {
    answer("GetPermission", out, () -> get(catalog(r.getProject()).permissions(), r.getName(), r.getProject(),
        "PermissionObjectNotFoundException", "Permission"));
  }

  @Override
  public void listPermissions(ListPermissionsRequest r, StreamObserver<ListPermissionsResponse> out) {
    answer("ListPermissions", out, () -> ListPermissionsResponse.newBuilder().addAllPermissions(
        list(catalog(r.getProject()).permissions(), r.getTagsMap(), p -> p.getSpec().getTagsMap())).build());
  }

  @Override
  public void getProject(GetProjectRequest r, StreamObserver<Project> out) {
    answer("GetProject", out, () -> catalog(r.getName()).projectProto());
  }

  @Override
  public void listProjects(ListProjectsRequest r, StreamObserver<ListProjectsResponse> out) {
    answer("ListProjects", out, () -> ListProjectsResponse.newBuilder().addProjects(catalog().projectProto()).build());
  }

  @Override
  public void listProjectMetadata(ListProjectMetadataRequest r, StreamObserver<ListProjectMetadataResponse> out) {
    answer("ListProjectMetadata", out, () -> ListProjectMetadataResponse.newBuilder()
        .addProjectMetadata(ProjectMetadata.newBuilder().setProject(catalog(r.getProject()).project())).build());
  }

  @Override
  public void getInfra(GetInfraRequest r, StreamObserver<Infra> out) {
    answer("GetInfra", out, () -> {
      catalog(r.getProject());
      return Infra.getDefaultInstance();
    });
  }

  @Override
  public void proto(Empty r, StreamObserver<Registry> out) {
    answer("Proto", out, () -> {
      FeastRegistryMapping.Catalog c = catalog();
      return Registry.newBuilder().addProjects(c.projectProto())
          .addAllEntities(list(c.entities(), Map.of(), e -> Map.of()))
          .addAllDataSources(list(c.sources(), Map.of(), s -> Map.of()))
          .addAllFeatureViews(list(c.views(), Map.of(), v -> Map.of()))
          .addAllOnDemandFeatureViews(list(c.onDemandViews(), Map.of(), v -> Map.of()))
          .addAllFeatureServices(list(c.services(), Map.of(), s -> Map.of()))
          .addAllSavedDatasets(list(c.datasets(), Map.of(), d -> Map.of()))
          .setRegistrySchemaVersion("1").setVersionId(Long.toString(c.version())).setLastUpdated(c.applied()).build();
    });
  }

  @Override
  public void refresh(RefreshRequest r, StreamObserver<Empty> out) {
    answer("Refresh", out, Empty::getDefaultInstance); // the server reads each new registry version itself
  }

  @Override
  public void commit(Empty r, StreamObserver<Empty> out) {
    answer("Commit", out, Empty::getDefaultInstance); // nothing is ever pending: every change is refused
  }

  // ---- changes: refused

  /** Whether a method changes the registry (and is refused). */
  static boolean changes(String method) {
    return method.startsWith("Apply") || method.startsWith("Delete") || method.equals("UpdateInfra")
        || method.equals("CreateDatasetFromRetrieval");
  }

  /** The service with every method that {@link #changes} the registry refusing. */
  ServerServiceDefinition definition() {
    ServerServiceDefinition bound = bindService();
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(bound.getServiceDescriptor());
    for (ServerMethodDefinition<?, ?> m : bound.getMethods()) {
      b.addMethod(readOnly(m));
    }
    return b.build();
  }

  private <Q, R> ServerMethodDefinition<Q, R> readOnly(ServerMethodDefinition<Q, R> m) {
    MethodDescriptor<Q, R> method = m.getMethodDescriptor();
    String name = method.getBareMethodName();
    if (!changes(name)) {
      return m;
    }
    return ServerMethodDefinition.create(method, ServerCalls.asyncUnaryCall((request, out) -> answer(name, out, () -> {
      reads.guard().record(Caller.ofGrpc(), "registry." + name, "registry", "denied", READ_ONLY);
      throw new FeastError(Status.Code.FAILED_PRECONDITION, "ReadOnlyRegistryException", name + " refused: " + READ_ONLY
          + "; Feast's SDK reads this registry (list_*, get_*) but cannot change it");
    })));
  }
}
