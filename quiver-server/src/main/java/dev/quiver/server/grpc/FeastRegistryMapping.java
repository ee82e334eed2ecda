package dev.quiver.server.grpc;

import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import dev.quiver.core.model.AggregateFeature;
import dev.quiver.core.model.ColumnFeature;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Entity;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureService;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.FileFormat;
import dev.quiver.core.model.FileSource;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.Metadata;
import dev.quiver.core.model.OnDemandView;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.Source;
import dev.quiver.core.model.StreamFormat;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.model.Window;
import dev.quiver.core.registry.DatasetRecord;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.security.Resource;
import dev.quiver.grpc.feast.core.DataSource;
import dev.quiver.grpc.feast.core.EntityMeta;
import dev.quiver.grpc.feast.core.EntitySpecV2;
import dev.quiver.grpc.feast.core.FeatureServiceMeta;
import dev.quiver.grpc.feast.core.FeatureServiceSpec;
import dev.quiver.grpc.feast.core.FeatureSpecV2;
import dev.quiver.grpc.feast.core.FeatureTransformationV2;
import dev.quiver.grpc.feast.core.FeatureViewMeta;
import dev.quiver.grpc.feast.core.FeatureViewProjection;
import dev.quiver.grpc.feast.core.FeatureViewSpec;
import dev.quiver.grpc.feast.core.OnDemandFeatureViewMeta;
import dev.quiver.grpc.feast.core.OnDemandFeatureViewSpec;
import dev.quiver.grpc.feast.core.OnDemandSource;
import dev.quiver.grpc.feast.core.Project;
import dev.quiver.grpc.feast.core.ProjectMeta;
import dev.quiver.grpc.feast.core.ProjectSpec;
import dev.quiver.grpc.feast.core.SavedDataset;
import dev.quiver.grpc.feast.core.SavedDatasetMeta;
import dev.quiver.grpc.feast.core.SavedDatasetSpec;
import dev.quiver.grpc.feast.core.SavedDatasetStorage;
import dev.quiver.grpc.feast.core.UserDefinedFunctionV2;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * One registry version as Feast's registry objects (docs/python.md, "Registry", has the table):
 *
 * <ul>
 *   <li>an entity as a Feast entity (its first join key; more are listed in the {@code quiver.join_keys} tag);
 *   <li>a source as a {@code PushSource} named like it (so Feast's {@code push} finds it), or a {@code
 *       KafkaSource} for a stream source, each with its files as a batch {@code FileSource} {@code NAME_files}
 *       (absolute path; source columns renamed to the features that read them), listed too;
 *   <li>the newest version of each feature view as a Feast feature view: typed fields, entities, ttl, online
 *       flag, tags, owner, description, batch and stream source; aggregate and derived features are fields
 *       whose {@code quiver.*} tags say how Quiver computes them;
 *   <li>the newest version of each on-demand view as an {@code OnDemandFeatureView} over its input views and a
 *       {@code RequestSource} {@code NAME_request} of its request fields; its transformation is a Python function
 *       that raises, because Quiver computes these features server-side (online and offline);
 *   <li>the newest version of each feature service, as projections of views and on-demand views;
 *   <li>each saved training set as a saved dataset (file storage at its output);
 *   <li>each permission as a Feast permission ({@link FeastPermissions}).
 * </ul>
 *
 * <p>What Feast cannot express is kept in tags ({@code quiver.note}), never a failure. Created and updated
 * timestamps are the time the version was applied. Stateless.
 */
final class FeastRegistryMapping {
  static final String NOTE = "quiver.note";

  private FeastRegistryMapping() {}

  /** A Feast object with the Quiver resource whose {@code describe} permission guards it. */
  record Item<T>(String name, Resource resource, T proto) {}

  /** One registry version and its saved training sets, mapped. */
  record Catalog(String project, long version, Project projectProto, List<Item<dev.quiver.grpc.feast.core.Entity>> entities,
      List<Item<DataSource>> sources, List<Item<dev.quiver.grpc.feast.core.FeatureView>> views,
      List<Item<dev.quiver.grpc.feast.core.OnDemandFeatureView>> onDemandViews,
      List<Item<dev.quiver.grpc.feast.core.FeatureService>> services, List<Item<SavedDataset>> datasets,
      List<Item<dev.quiver.grpc.feast.core.Permission>> permissions, Timestamp applied) {}

  static Catalog map(RegistrySnapshot snapshot, List<DatasetRecord> datasets, Path root) {
    Definitions d = snapshot.definitions();
    String project = d.project();
    Timestamp at = timestamp(snapshot.info().appliedAt());
    Map<String, Entity> entities = new TreeMap<>();
    d.entities().forEach(e -> entities.put(e.name(), e));

    List<Item<dev.quiver.grpc.feast.core.Entity>> entityItems = new ArrayList<>();
    for (Entity e : d.entities()) {
      entityItems.add(new Item<>(e.name(), new Resource(Resource.Kind.ENTITY, e.name(), e.metadata().tags()), entity(e, project, at)));
    }

    Map<String, FeatureView> newest = newestViews(d);
    Map<String, DataSource> batch = new LinkedHashMap<>();
    Map<String, DataSource> stream = new LinkedHashMap<>();
    List<Item<DataSource>> sourceItems = new ArrayList<>();
    for (Source s : d.sources()) {
      Resource r = new Resource(Resource.Kind.SOURCE, s.name(), s.metadata().tags());
      DataSource files = files(s, newest.values(), root, project, at);
      DataSource front = front(s, files, project, at);
      batch.put(s.name(), files);
      stream.put(s.name(), front);
      sourceItems.add(new Item<>(front.getName(), r, front));
      sourceItems.add(new Item<>(files.getName(), r, files));
    }

    Map<String, dev.quiver.grpc.feast.core.FeatureView> viewProtos = new LinkedHashMap<>();
    List<Item<dev.quiver.grpc.feast.core.FeatureView>> viewItems = new ArrayList<>();
    for (FeatureView v : newest.values()) {
      var proto = view(v, entities, batch.get(v.source()), stream.get(v.source()), project, at);
      viewProtos.put(v.name(), proto);
      viewItems.add(new Item<>(v.name(), new Resource(Resource.Kind.FEATURE_VIEW, v.name(), v.metadata().tags()), proto));
    }

    Map<String, OnDemandView> newestOdv = new TreeMap<>();
    d.onDemandViews().forEach(o -> newestOdv.merge(o.name(), o, (a, b) -> a.version() >= b.version() ? a : b));
    List<Item<dev.quiver.grpc.feast.core.OnDemandFeatureView>> odvItems = new ArrayList<>();
    Map<String, dev.quiver.grpc.feast.core.OnDemandFeatureView> odvProtos = new LinkedHashMap<>();
    for (OnDemandView o : newestOdv.values()) {
      Resource r = new Resource(Resource.Kind.ON_DEMAND_VIEW, o.name(), o.metadata().tags());
      var proto = onDemand(o, viewProtos, project, at);
      odvProtos.put(o.name(), proto);
      odvItems.add(new Item<>(o.name(), r, proto));
      if (!o.requestFields().isEmpty()) {
        DataSource request = proto.getSpec().getSourcesOrThrow(o.name() + "_request").getRequestDataSource();
        sourceItems.add(new Item<>(request.getName(), r, request));
      }
    }

    Map<String, FeatureService> newestServices = new TreeMap<>();
    d.services().forEach(s -> newestServices.merge(s.name(), s, (a, b) -> a.version() >= b.version() ? a : b));
    List<Item<dev.quiver.grpc.feast.core.FeatureService>> serviceItems = new ArrayList<>();
    for (FeatureService s : newestServices.values()) {
      serviceItems.add(new Item<>(s.name(), new Resource(Resource.Kind.FEATURE_SERVICE, s.name(), s.metadata().tags()),
          service(s, viewProtos, odvProtos, project, at)));
    }

    List<Item<SavedDataset>> datasetItems = new ArrayList<>();
    for (DatasetRecord r : datasets) {
      datasetItems.add(new Item<>(r.name(), new Resource(Resource.Kind.DATASET, r.name(), Map.of()),
          dataset(r, d, root, project)));
    }
    Project projectProto = Project.newBuilder()
        .setSpec(ProjectSpec.newBuilder().setName(project).setDescription("Quiver feature repo, registry version "
            + snapshot.info().version()).putTags("quiver.registry_version", Long.toString(snapshot.info().version())))
        .setMeta(ProjectMeta.newBuilder().setCreatedTimestamp(at).setLastUpdatedTimestamp(at))
        .build();
    return new Catalog(project, snapshot.info().version(), projectProto, entityItems, sourceItems, viewItems, odvItems,
        serviceItems, datasetItems, FeastPermissions.map(d.permissions(), project, at), at);
  }

  /** The newest version of each feature view, by name. */
  static Map<String, FeatureView> newestViews(Definitions d) {
    Map<String, FeatureView> newest = new TreeMap<>();
    d.views().forEach(v -> newest.merge(v.name(), v, (a, b) -> a.version() >= b.version() ? a : b));
    return newest;
  }

  private static dev.quiver.grpc.feast.core.Entity entity(Entity e, String project, Timestamp at) {
    Map<String, String> tags = new TreeMap<>(e.metadata().tags());
    EntitySpecV2.Builder spec = EntitySpecV2.newBuilder().setName(e.name()).setProject(project)
        .setDescription(e.metadata().description()).setOwner(e.metadata().owner());
    if (!e.joinKeys().isEmpty()) {
      spec.setJoinKey(e.joinKeys().get(0).name()).setValueType(FeastTypes.of(e.joinKeys().get(0).type()));
    }
    if (e.joinKeys().size() > 1) {
      tags.put("quiver.join_keys", String.join(",", e.joinKeys().stream().map(JoinKey::name).toList()));
      tags.put(NOTE, "a Feast entity has one join key; Quiver's composite key is in quiver.join_keys"
          + " (feature views list every key column)");
    }
    return dev.quiver.grpc.feast.core.Entity.newBuilder().setSpec(spec.putAllTags(tags))
        .setMeta(EntityMeta.newBuilder().setCreatedTimestamp(at).setLastUpdatedTimestamp(at)).build();
  }

  /** The source's files as a Feast FileSource {@code NAME_files}: source columns renamed to the features reading them. */
  private static DataSource files(Source s, Iterable<FeatureView> views, Path root, String project, Timestamp at) {
    FileSource f = s.batch();
    Map<String, String> raw = new TreeMap<>(); // mapped name -> raw column
    f.fieldMapping().forEach((rawName, mapped) -> raw.put(mapped, rawName));
    Map<String, String> renames = new TreeMap<>();
    List<String> notes = new ArrayList<>();
    for (FeatureView v : views) {
      if (!v.source().equals(s.name())) {
        continue;
      }
      for (Feature feature : v.features()) {
        if (feature instanceof ColumnFeature c) {
          String column = raw.getOrDefault(c.column(), c.column());
          if (!column.equals(c.name())) {
            String before = renames.putIfAbsent(column, c.name());
            if (before != null && !before.equals(c.name())) {
              notes.add("column " + column + " is read as both " + before + " and " + c.name() + "; Feast renames it to "
                  + before);
            }
          }
        }
      }
    }
    DataSource.FileOptions.Builder options = DataSource.FileOptions.newBuilder().setUri(absolute(f.path(), root));
    if (f.format() == FileFormat.PARQUET) {
      options.setFileFormat(dev.quiver.grpc.feast.core.FileFormat.newBuilder()
          .setParquetFormat(dev.quiver.grpc.feast.core.FileFormat.ParquetFormat.getDefaultInstance()));
    } else {
      notes.add("the files are " + f.format().spelling() + ", which Feast's FileSource does not read");
    }
    Map<String, String> tags = new TreeMap<>(s.metadata().tags());
    tags.put("quiver.format", f.format().spelling());
    if (!notes.isEmpty()) {
      tags.put(NOTE, String.join("; ", notes));
    }
    return DataSource.newBuilder().setName(s.name() + "_files").setProject(project).setType(DataSource.SourceType.BATCH_FILE)
        .setDataSourceClassType("feast.infra.offline_stores.file_source.FileSource")
        .setDescription(s.metadata().description()).setOwner(s.metadata().owner()).putAllTags(tags)
        .putAllFieldMapping(renames).setTimestampField(raw.getOrDefault(f.timestampColumn(), f.timestampColumn()))
        .setCreatedTimestampColumn(f.createdColumn() == null ? "" : raw.getOrDefault(f.createdColumn(), f.createdColumn()))
        .setFileOptions(options).setMeta(sourceMeta(at)).build();
  }

  /** A file source's PushSource, or a stream source's KafkaSource, over its files. */
  private static DataSource front(Source s, DataSource files, String project, Timestamp at) {
    DataSource.Builder b = DataSource.newBuilder().setName(s.name()).setProject(project)
        .setDescription(s.metadata().description()).setOwner(s.metadata().owner()).putAllTags(s.metadata().tags())
        .putAllFieldMapping(files.getFieldMappingMap()).setTimestampField(files.getTimestampField())
        .setCreatedTimestampColumn(files.getCreatedTimestampColumn()).setBatchSource(files).setMeta(sourceMeta(at));
    if (s instanceof StreamSource k) {
      dev.quiver.grpc.feast.core.StreamFormat.Builder format = dev.quiver.grpc.feast.core.StreamFormat.newBuilder();
      if (k.format() == StreamFormat.AVRO) {
        format.setAvroFormat(dev.quiver.grpc.feast.core.StreamFormat.AvroFormat.getDefaultInstance());
      } else {
        format.setJsonFormat(dev.quiver.grpc.feast.core.StreamFormat.JsonFormat.getDefaultInstance());
      }
      return b.setType(DataSource.SourceType.STREAM_KAFKA).setDataSourceClassType("feast.data_source.KafkaSource")
          .setKafkaOptions(DataSource.KafkaOptions.newBuilder().setKafkaBootstrapServers(k.brokers()).setTopic(k.topic())
              .setMessageFormat(format))
          .putTags(NOTE, "consumed by the Quiver server; Feast's push does not take a Kafka source").build();
    }
    return b.setType(DataSource.SourceType.PUSH_SOURCE).setDataSourceClassType("feast.data_source.PushSource")
        .setPushOptions(DataSource.PushOptions.getDefaultInstance()).build();
  }

  private static DataSource.SourceMeta sourceMeta(Timestamp at) {
    return DataSource.SourceMeta.newBuilder().setCreatedTimestamp(at).setLastUpdatedTimestamp(at).build();
  }

  private static String absolute(String path, Path root) {
    if (path.contains("://") || root == null) {
      return path;
    }
    return root.resolve(path).toAbsolutePath().normalize().toString();
  }

  private static dev.quiver.grpc.feast.core.FeatureView view(FeatureView v, Map<String, Entity> entities, DataSource batch,
      DataSource stream, String project, Timestamp at) {
    FeatureViewSpec.Builder spec = FeatureViewSpec.newBuilder().setName(v.name()).setProject(project)
        .addAllEntities(v.entities()).setOnline(v.online()).setOffline(false)
        .setDescription(v.metadata().description()).setOwner(v.metadata().owner())
        .putAllTags(v.metadata().tags()).putTags("quiver.version", Integer.toString(v.version())).setVersion("latest");
    if (v.ttl() != null && !v.ttl().isZero()) {
      spec.setTtl(duration(v.ttl()));
    }
    Set<String> keys = new LinkedHashSet<>();
    for (String name : v.entities()) {
      Entity e = entities.get(name);
      if (e != null) {
        for (JoinKey k : e.joinKeys()) {
          if (keys.add(k.name())) {
            spec.addEntityColumns(FeatureSpecV2.newBuilder().setName(k.name()).setValueType(FeastTypes.of(k.type())));
          }
        }
      }
    }
    v.features().forEach(f -> spec.addFeatures(field(f)));
    if (batch != null) {
      spec.setBatchSource(batch);
      spec.setStreamSource(stream);
    }
    return dev.quiver.grpc.feast.core.FeatureView.newBuilder().setSpec(spec)
        .setMeta(FeatureViewMeta.newBuilder().setCreatedTimestamp(at).setLastUpdatedTimestamp(at)).build();
  }

  /** A feature as a typed Feast field; aggregates and derived features say in tags how Quiver computes them. */
  static FeatureSpecV2 field(Feature f) {
    FeatureSpecV2.Builder b = FeatureSpecV2.newBuilder().setName(f.name()).setValueType(FeastTypes.of(f.type()))
        .setDescription(f.description());
    switch (f) {
      case ColumnFeature c -> {
        b.putTags("quiver.kind", "column");
        if (!c.column().equals(c.name())) {
          b.putTags("quiver.column", c.column());
        }
      }
      case AggregateFeature a -> {
        var g = a.aggregation();
        b.putTags("quiver.kind", "aggregate").putTags("quiver.function", g.function().spelling())
            .putTags("quiver.window", g.window().spelling()).putTags("quiver.hop", dev.quiver.core.model.Durations.format(g.effectiveHop()));
        if (g.column() != null) {
          b.putTags("quiver.column", g.column());
        }
        if (g.where() != null) {
          b.putTags("quiver.where", g.where());
        }
        if (g.window() instanceof Window.Fixed) {
          b.putTags(NOTE, "computed by Quiver over the window [align(t - window, hop), t)");
        }
      }
      case DerivedFeature x -> b.putTags("quiver.kind", "derived").putTags("quiver.expression", x.expression());
    }
    return b.build();
  }

  private static dev.quiver.grpc.feast.core.OnDemandFeatureView onDemand(OnDemandView o,
      Map<String, dev.quiver.grpc.feast.core.FeatureView> views, String project, Timestamp at) {
    OnDemandFeatureViewSpec.Builder spec = OnDemandFeatureViewSpec.newBuilder().setName(o.name()).setProject(project)
        .setDescription(o.metadata().description()).setOwner(o.metadata().owner()).putAllTags(o.metadata().tags())
        .putTags("quiver.version", Integer.toString(o.version())).setMode("pandas").addEntities("__dummy")
        .setVersion("latest");
    List<String> missing = new ArrayList<>();
    for (String input : o.inputs()) {
      String name = input.contains("@") ? input.substring(0, input.indexOf('@')) : input;
      var view = views.get(name);
      if (view == null) {
        missing.add(input);
        continue;
      }
      spec.putSources(name, OnDemandSource.newBuilder().setFeatureViewProjection(projection(view, List.of())).build());
    }
    if (!o.requestFields().isEmpty()) {
      DataSource.RequestDataOptions.Builder schema = DataSource.RequestDataOptions.newBuilder();
      for (RequestField r : o.requestFields()) {
        schema.addSchema(FeatureSpecV2.newBuilder().setName(r.name()).setValueType(FeastTypes.of(r.type())));
      }
      String name = o.name() + "_request";
      spec.putSources(name, OnDemandSource.newBuilder().setRequestDataSource(DataSource.newBuilder().setName(name)
          .setProject(project).setType(DataSource.SourceType.REQUEST_SOURCE)
          .setDataSourceClassType("feast.data_source.RequestSource").setRequestDataOptions(schema)
          .setMeta(sourceMeta(at))).build());
    }
    if (!missing.isEmpty()) {
      spec.putTags(NOTE, "inputs without a Feast view: " + String.join(", ", missing));
    }
    o.features().forEach(f -> spec.addFeatures(field(f)));
    String function = "quiver_" + o.name();
    spec.setFeatureTransformation(FeatureTransformationV2.newBuilder().setUserDefinedFunction(UserDefinedFunctionV2
        .newBuilder().setName(function).setMode("pandas").setBodyText(udf(function, o.name()))));
    return dev.quiver.grpc.feast.core.OnDemandFeatureView.newBuilder().setSpec(spec)
        .setMeta(OnDemandFeatureViewMeta.newBuilder().setCreatedTimestamp(at).setLastUpdatedTimestamp(at)).build();
  }

  /**
   * The Python source of an on-demand view's transformation: Quiver computes its features server-side
   * (online reads and training sets), so a client that tried to compute them itself gets an error, never
   * different values.
   */
  static String udf(String function, String view) {
    return "def " + function + "(inputs):\n"
        + "    raise RuntimeError(\"on-demand view '" + view + "' is computed by the Quiver server; read it through"
        + " Quiver's online store or offline store\")\n";
  }

  private static FeatureViewProjection projection(dev.quiver.grpc.feast.core.FeatureView view, List<String> features) {
    FeatureViewSpec spec = view.getSpec();
    FeatureViewProjection.Builder p = FeatureViewProjection.newBuilder().setFeatureViewName(spec.getName())
        .setViewType("featureView");
    for (FeatureSpecV2 f : spec.getFeaturesList()) {
      if (features.isEmpty() || features.contains(f.getName())) {
        p.addFeatureColumns(f);
      }
    }
    if (spec.hasBatchSource()) {
      p.setBatchSource(spec.getBatchSource()).setTimestampField(spec.getBatchSource().getTimestampField())
          .setCreatedTimestampColumn(spec.getBatchSource().getCreatedTimestampColumn());
    }
    return p.build();
  }

  /**
   * A service's projection of an on-demand view. Its fields carry name and type only: Feast 0.67 reads
   * an on-demand view's fields without description or tags, and refuses a projection whose fields do
   * not equal the view's (Feast's {@code Field.__eq__} compares both).
   */
  private static FeatureViewProjection projection(dev.quiver.grpc.feast.core.OnDemandFeatureView view, List<String> features) {
    FeatureViewProjection.Builder p = FeatureViewProjection.newBuilder().setFeatureViewName(view.getSpec().getName())
        .setViewType("featureView");
    view.getSpec().getFeaturesList().stream().filter(f -> features.isEmpty() || features.contains(f.getName()))
        .map(f -> f.toBuilder().clearDescription().clearTags().build())
        .forEach(p::addFeatureColumns);
    return p.build();
  }

  private static dev.quiver.grpc.feast.core.FeatureService service(FeatureService s,
      Map<String, dev.quiver.grpc.feast.core.FeatureView> views,
      Map<String, dev.quiver.grpc.feast.core.OnDemandFeatureView> onDemand, String project, Timestamp at) {
    Map<String, List<String>> byView = new LinkedHashMap<>();
    for (FeatureRef r : s.features()) {
      byView.computeIfAbsent(r.view(), k -> new ArrayList<>()).add(r.feature());
    }
    FeatureServiceSpec.Builder spec = FeatureServiceSpec.newBuilder().setName(s.name()).setProject(project)
        .setDescription(s.metadata().description()).setOwner(s.metadata().owner()).putAllTags(s.metadata().tags())
        .putTags("quiver.version", Integer.toString(s.version()))
        .putTags("quiver.features", String.join(",", s.features().stream().map(FeatureRef::toString).toList()));
    List<String> missing = new ArrayList<>();
    for (var e : byView.entrySet()) {
      List<String> features = e.getValue().contains("*") ? List.of() : e.getValue();
      if (views.containsKey(e.getKey())) {
        spec.addFeatures(projection(views.get(e.getKey()), features));
      } else if (onDemand.containsKey(e.getKey())) {
        spec.addFeatures(projection(onDemand.get(e.getKey()), features));
      } else {
        missing.add(e.getKey());
      }
    }
    if (!missing.isEmpty()) {
      spec.putTags(NOTE, "views without a Feast view: " + String.join(", ", missing));
    }
    return dev.quiver.grpc.feast.core.FeatureService.newBuilder().setSpec(spec)
        .setMeta(FeatureServiceMeta.newBuilder().setCreatedTimestamp(at).setLastUpdatedTimestamp(at)).build();
  }

  private static SavedDataset dataset(DatasetRecord r, Definitions d, Path root, String project) {
    SavedDatasetSpec.Builder spec = SavedDatasetSpec.newBuilder().setName(r.name()).setProject(project)
        .addAllFeatures(r.features().stream().map(f -> f.view() + ":" + f.feature()).toList())
        .setFullFeatureNames(r.fullFeatureNames())
        .putTags("quiver.registry_version", Long.toString(r.registryVersion()))
        .putTags("quiver.features", String.join(",", r.features().stream().map(FeatureRef::toString).toList()))
        .putTags("quiver.rows", Long.toString(r.rows())).putTags("quiver.author", r.author())
        .putTags("quiver.timestamp_column", r.timestampColumn())
        .putTags("quiver.output_fingerprint", r.outputFingerprint());
    if (r.service() != null) {
      spec.setFeatureServiceName(r.service().contains("@") ? r.service().substring(0, r.service().indexOf('@')) : r.service());
    }
    Set<String> keys = new LinkedHashSet<>();
    for (FeatureRef f : r.features()) {
      Optional<FeatureView> v = d.view(f.view(), f.version());
      v.ifPresent(view -> view.entities().forEach(e -> d.entities().stream().filter(x -> x.name().equals(e))
          .forEach(x -> x.joinKeys().forEach(k -> keys.add(k.name())))));
    }
    spec.addAllJoinKeys(keys);
    DataSource.FileOptions.Builder file = DataSource.FileOptions.newBuilder().setUri(absolute(r.output(), root));
    if (r.outputFormat() == FileFormat.PARQUET) {
      file.setFileFormat(dev.quiver.grpc.feast.core.FileFormat.newBuilder()
          .setParquetFormat(dev.quiver.grpc.feast.core.FileFormat.ParquetFormat.getDefaultInstance()));
    }
    spec.setStorage(SavedDatasetStorage.newBuilder().setFileStorage(file));
    Timestamp created = timestamp(r.createdAt());
    return SavedDataset.newBuilder().setSpec(spec)
        .setMeta(SavedDatasetMeta.newBuilder().setCreatedTimestamp(created).setLastUpdatedTimestamp(created)).build();
  }

  static Timestamp timestamp(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  private static Duration duration(java.time.Duration d) {
    return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
  }

}
