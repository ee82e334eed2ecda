package dev.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.QuiverException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.FeatureResolver;
import dev.quiver.core.model.VersionedName;
import dev.quiver.core.online.FeatureColumn;
import dev.quiver.core.online.OnlineRequest;
import dev.quiver.core.online.OnlineResponse;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.server.http.OnlineResponseJson;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code quiver online}: look features up in the online store. */
@Command(name = "online", description = "Look up the latest feature values for entities in the online store.",
    subcommands = OnlineDeleteCommand.class)
final class OnlineCommand implements Callable<Integer> {
  static final class Features {
    @Option(names = "--features", paramLabel = "REFS", split = ",", required = true, description = "Feature refs, comma-separated.")
    List<String> refs;

    @Option(names = "--service", paramLabel = "NAME[@vN]", required = true, description = "A feature service.")
    String service;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1") // required, checked in call(): 'online delete' has none
  Features features;

  @Option(names = "--entity", paramLabel = "KEY=V1,V2",
      description = "Entity key values, one option per join key: --entity user_id=1,2,3 --entity merchant_id=7,8,9."
          + " Typed by the join key: int64 keys are whole numbers (42, not 042 or 42.0).")
  List<String> entities = new ArrayList<>();

  @Option(names = "--request", paramLabel = "FIELD=V[,FIELD=V]",
      description = "Request data for on-demand features: --request amount=10.5,country=DE (every entity row), or one value"
          + " per row: --request amount=10.5,80 --request country=DE,FR. Typed by the on-demand view's request fields;"
          + " a list is [1.5,2.0].")
  List<String> request = new ArrayList<>();

  @Option(names = "--full-feature-names", description = "Name features view__feature.")
  boolean fullFeatureNames;

  @Mixin RepoOption repo;
  @Mixin TokenOption token;
  @Mixin OutputOption output;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (features == null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "Missing required argument (specify one of these): (--features=REFS | --service=NAME[@vN])");
    }
    try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
      Definitions defs = Catalog.snapshot(r, null).definitions();
      List<FeatureRef> refs;
      VersionedName service = null;
      if (features.service != null) {
        service = VersionedName.parse(features.service).orElseThrow(() ->
            new QuiverException("'" + features.service + "' is not a service; write NAME or NAME@vN"));
        refs = FeatureResolver.service(defs, service.name(), service.version());
      } else {
        refs = new ArrayList<>();
        for (String f : features.refs) {
          refs.add(FeatureRef.parse(f).orElseThrow(() -> new QuiverException("'" + f + "' is not a feature ref; write view:feature")));
        }
      }
      OnlineArgs args = OnlineArgs.read(defs, r.transformLoader(), refs, entities, request);
      var server = RunningServer.find(repo.repo, token.resolve(), spec.commandLine().getErr());
      if (server.isPresent()) {
        JsonNode answer = server.get().post("/get-online-features",
            RemoteRead.request(features.refs, features.service, args, fullFeatureNames));
        if (output.json()) {
          Json.print(answer, out); // the server's answer, as the local path prints it
        } else {
          print(RemoteRead.response(answer, args.entities().size(), RemoteRead.types(defs, r.transformLoader(), refs,
              fullFeatureNames)), out);
        }
        return 0;
      }
      OnlineResponse response = service != null
          ? r.getOnlineFeatures(service.name(), service.version(), args.entities(), args.requestData(), fullFeatureNames)
          : r.getOnlineFeatures(new OnlineRequest(refs, args.entities(), args.requestData(), fullFeatureNames));
      if (output.json()) {
        Json.print(g -> OnlineResponseJson.write(response, g), out); // what the feature server answers
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
        cells.add(TextValues.format(col.get(i)));
      }
      for (FeatureColumn f : response.features()) {
        Object v = f.values().get(i);
        cells.add(switch (f.statuses().get(i)) {
          case PRESENT -> TextValues.format(v);
          case NULL_VALUE -> "null";
          case NOT_FOUND -> "(not found)";
          case OUTSIDE_MAX_AGE -> "(older than ttl)";
        });
      }
      t.add(cells.toArray(String[]::new));
    }
    t.print(out);
  }
}
