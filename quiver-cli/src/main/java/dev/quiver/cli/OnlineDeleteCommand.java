package dev.quiver.cli;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.online.OnlineDeletion;
import dev.quiver.core.repo.FeatureRepo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quiver online delete}: delete entities' online state (latest rows and tile rows) in views. */
@Command(name = "delete", description = "Delete entities' online rows (latest rows and window-aggregate tiles) in feature views;"
    + " reads then answer NOT_FOUND until the keys are written again.")
final class OnlineDeleteCommand implements Callable<Integer> {
  @Option(names = "--view", paramLabel = "VIEW", split = ",", required = true,
      description = "Views to delete from: a name (every version) or name@vN; repeatable.")
  List<String> views = new ArrayList<>();

  @Option(names = "--entity", paramLabel = "KEY=V1,V2", required = true,
      description = "Entity key values, one option per join key: --entity user_id=7,8. Parsed strictly by the key's type.")
  List<String> entities = new ArrayList<>();

  @Mixin RepoOption repo;
  @Mixin TokenOption token;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    for (String option : entities) {
      int eq = option.indexOf('=');
      if (eq <= 0) {
        throw new InvalidRequestException("--entity '" + option + "' must look like KEY=V1,V2");
      }
      String name = option.substring(0, eq);
      // keys stay text: core parses every key the same way (StrictValues)
      if (columns.put(name, new ArrayList<>(List.of(option.substring(eq + 1).split(",", -1)))) != null) {
        throw new InvalidRequestException("--entity " + name + " is given twice; list every value once: " + name + "=V1,V2");
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    var server = RunningServer.find(repo.repo, token.resolve(), spec.commandLine().getErr());
    if (server.isPresent()) {
      var body = Json.MAPPER.createObjectNode();
      views.forEach(body.putArray("feature_views")::add);
      var keys = body.putObject("entities");
      columns.forEach((name, values) -> values.forEach(v -> keys.withArrayProperty(name).add(String.valueOf(v))));
      var a = server.get().post("/online/delete", body);
      List<String> deletedFrom = new ArrayList<>();
      a.path("feature_views").forEach(v -> deletedFrom.add(v.asText()));
      print(out, new OnlineDeletion.Result(deletedFrom, a.path("entities").asInt(), a.path("latest_rows_deleted").asLong(),
          a.path("tile_rows_deleted").asLong()));
      return 0;
    }
    try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
      String resource = "feature_view " + (views.isEmpty() ? "* (every online view)" : String.join(", ", views));
      OnlineDeletion.Result result;
      try {
        result = r.deleteOnline(views, columns);
      } catch (RuntimeException e) {
        CliAudit.record(r, spec.commandLine().getErr(), Authors.resolve(null), "online_delete", resource, "failed",
            String.valueOf(e.getMessage()));
        throw e;
      }
      CliAudit.record(r, spec.commandLine().getErr(), Authors.resolve(null), "online_delete", resource, "ok",
          result.entities() + " entities, " + result.latestRowsDeleted() + " rows and " + result.tileRowsDeleted()
              + " tile rows deleted in " + result.views());
      print(out, result);
      return 0;
    }
  }

  private static void print(PrintWriter out, OnlineDeletion.Result result) {
    out.printf(Locale.ROOT, "deleted %d %s from %s: %,d latest rows and %,d tile rows were there%n", result.entities(),
        result.entities() == 1 ? "entity" : "entities", String.join(", ", result.views()), result.latestRowsDeleted(),
        result.tileRowsDeleted());
    out.flush();
  }
}
