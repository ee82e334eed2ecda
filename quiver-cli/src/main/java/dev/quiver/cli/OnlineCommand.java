package dev.quiver.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quiver online}: look features up in the online store. */
@Command(name = "online", description = "Look up the latest feature values for entities in the online store.")
final class OnlineCommand implements Callable<Integer> {
  static final class Features {
    @Option(names = "--features", paramLabel = "REFS", split = ",", required = true, description = "Feature refs, comma-separated.")
    List<String> refs;

    @Option(names = "--service", paramLabel = "NAME[@vN]", required = true, description = "A feature service.")
    String service;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Features features;

  @Option(names = "--entity", paramLabel = "KEY=V1,V2", required = true,
      description = "Entity key values, one option per join key: --entity user_id=1,2,3 --entity merchant_id=7,8,9.")
  List<String> entities;

  @Option(names = "--full-feature-names", description = "Name features view__feature.")
  boolean fullFeatureNames;

  @Mixin RepoOption repo;
  @Mixin OutputOption output;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    for (String e : entities) {
      int eq = e.indexOf('=');
      if (eq <= 0) {
        throw new QuiverException("--entity '" + e + "' must look like KEY=V1,V2");
      }
      if (columns.put(e.substring(0, eq), new ArrayList<>(Arrays.asList((Object[]) e.substring(eq + 1).split(",")))) != null) {
        throw new QuiverException("--entity " + e.substring(0, eq) + " is given twice; list every value once: "
            + e.substring(0, eq) + "=V1,V2");
      }
    }
    try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
      OnlineResponse response;
      if (features.service != null) {
        VersionedName service = VersionedName.parse(features.service).orElseThrow(() ->
            new QuiverException("'" + features.service + "' is not a service; write NAME or NAME@vN"));
        response = r.getOnlineFeatures(service.name(), service.version(), columns, fullFeatureNames);
      } else {
        List<FeatureRef> refs = new ArrayList<>();
        for (String f : features.refs) {
          refs.add(FeatureRef.parse(f).orElseThrow(() -> new QuiverException("'" + f + "' is not a feature ref; write view:feature")));
        }
        response = r.getOnlineFeatures(refs, columns, fullFeatureNames);
      }
      if (output.json()) {
        Json.print(json(response), out);
      } else {
        print(response, out);
      }
      return 0;
    }
  }

  private static void print(OnlineResponse response, PrintWriter out) {
    List<String> header = new ArrayList<>(response.entities().keySet());
    response.features().forEach(f -> header.add(f.name()));
    Table t = new Table(header.toArray(String[]::new));
    for (int i = 0; i < response.rows(); i++) {
      List<String> cells = new ArrayList<>();
      for (List<Object> col : response.entities().values()) {
        cells.add(String.valueOf(col.get(i)));
      }
      for (FeatureColumn f : response.features()) {
        Object v = f.values().get(i);
        cells.add(switch (f.statuses().get(i)) {
          case PRESENT -> String.valueOf(v);
          case NULL_VALUE -> "null";
          case NOT_FOUND -> "(not found)";
          case OUTSIDE_MAX_AGE -> "(older than ttl)";
        });
      }
      t.add(cells.toArray(String[]::new));
    }
    t.print(out);
  }

  /** Feast's response shape: metadata.feature_names, then column-major results. */
  static ObjectNode json(OnlineResponse response) {
    ObjectNode root = Json.MAPPER.createObjectNode();
    ArrayNode names = root.putObject("metadata").putArray("feature_names");
    ArrayNode results = root.putArray("results");
    for (var e : response.entities().entrySet()) {
      names.add(e.getKey());
      ObjectNode r = results.addObject();
      ArrayNode values = r.putArray("values");
      ArrayNode statuses = r.putArray("statuses");
      ArrayNode times = r.putArray("event_timestamps");
      for (Object v : e.getValue()) {
        values.add(Json.MAPPER.valueToTree(v));
        statuses.add("PRESENT");
        times.add("1970-01-01T00:00:00Z");
      }
    }
    for (FeatureColumn f : response.features()) {
      names.add(f.name());
      ObjectNode r = results.addObject();
      ArrayNode values = r.putArray("values");
      ArrayNode statuses = r.putArray("statuses");
      ArrayNode times = r.putArray("event_timestamps");
      for (int i = 0; i < f.values().size(); i++) {
        Object v = f.values().get(i);
        values.add(v instanceof java.time.Instant t ? Json.MAPPER.getNodeFactory().textNode(t.toString()) : Json.MAPPER.valueToTree(v));
        statuses.add(f.statuses().get(i).name());
        times.add(f.eventTimes().get(i) == null ? "1970-01-01T00:00:00Z" : f.eventTimes().get(i).toString());
      }
    }
    return root;
  }
}
