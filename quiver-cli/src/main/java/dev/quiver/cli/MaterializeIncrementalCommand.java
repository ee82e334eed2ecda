package dev.quiver.cli;

import dev.quiver.core.repo.FeatureRepo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quiver materialize-incremental END}: continue each view from its watermark. */
@Command(name = "materialize-incremental", description = "Materialize each online view from its watermark (first time: END - ttl) to END.")
final class MaterializeIncrementalCommand implements Callable<Integer> {
  @Parameters(paramLabel = "END", description = "now, 2026-03-01, 2026-03-01T12:00:00Z (UTC).")
  String end;

  @Option(names = "--views", paramLabel = "VIEW", split = ",", description = "Only these views (name or name@vN); default: every online view.")
  List<String> views = new ArrayList<>();

  @Option(names = "--author", description = "Recorded with the watermark: default $QUIVER_AUTHOR, else the OS user.")
  String author;

  @Mixin RepoOption repo;
  @Mixin TokenOption token;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Instant to = Times.parse(end);
    var server = RunningServer.find(repo.repo, token.resolve(), spec.commandLine().getErr());
    if (server.isPresent()) {
      var body = Json.MAPPER.createObjectNode().put("end_ts", to.toString());
      views.forEach(body.putArray("feature_views")::add);
      return MaterializeCommand.runRemote(spec.commandLine(), server.get(), "/materialize-incremental", body);
    }
    try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
      return MaterializeCommand.run(spec.commandLine(), r, "materialize_incremental", views,
          "from each watermark to " + to, () -> r.materializeIncremental(views, to,
          MaterializeCommand.listener(spec.commandLine().getErr()), Authors.resolve(author)));
    }
  }
}
