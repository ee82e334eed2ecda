package dev.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.quiver.core.NotFoundException;
import dev.quiver.core.registry.DatasetRecord;
import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.core.repo.Reproduction;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quiver datasets list|show|verify|reproduce}: saved training sets. */
@Command(
    name = "datasets",
    description = "Saved training sets: list them, show one, verify one's output, reproduce one bit for bit.",
    subcommands = {DatasetsCommand.ListSets.class, DatasetsCommand.Show.class, DatasetsCommand.Verify.class,
        DatasetsCommand.Reproduce.class})
final class DatasetsCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "list", description = "Every saved training set, oldest first.")
  static final class ListSets implements Callable<Integer> {
    @Mixin RepoOption repo;
    @Mixin OutputOption output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        Table t = new Table("DATASET", "ROWS", "FEATURES", "REGISTRY", "CREATED", "AUTHOR", "OUTPUT");
        ArrayNode json = Json.MAPPER.createArrayNode();
        for (DatasetRecord d : r.registry().datasets()) {
          t.add(d.name(), String.format("%,d", d.rows()), String.valueOf(d.features().size()),
              "v" + d.registryVersion(), d.createdAt().toString(), d.author(), d.output());
          json.add(json(d));
        }
        if (output.json()) {
          Json.print(json, spec.commandLine().getOut());
        } else {
          t.print(spec.commandLine().getOut());
        }
        return 0;
      }
    }
  }

  /** A dataset record as {@code datasets show --output json} prints it (the registry's own encoding). */
  static JsonNode json(DatasetRecord d) {
    try {
      return Json.MAPPER.readTree(RegistryCodec.encodeDataset(d));
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the registry's dataset encoding is JSON", e);
    }
  }

  @Command(name = "show", description = "One saved training set: its query, features, fingerprints, output.")
  static final class Show implements Callable<Integer> {
    @Parameters(paramLabel = "NAME") String name;
    @Mixin RepoOption repo;
    @Mixin OutputOption output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        DatasetRecord d = find(r, name);
        if (output.json()) {
          out.println(new String(RegistryCodec.encodeDataset(d), StandardCharsets.UTF_8));
        } else {
          out.printf("dataset %s%n  created: %s by %s%n  registry version: %d%n  query: %s%n  query fingerprint: %s%n"
                  + "  timestamp column: %s%n  service: %s%n  features (%d): %s%n  output: %s (%s, %,d rows)%n  output fingerprint: %s%n  source files:%n",
              d.name(), d.createdAt(), d.author(), d.registryVersion(), d.query().describe(), d.queryFingerprint(),
              d.timestampColumn(), d.service() == null ? "none" : d.service(), d.features().size(),
              String.join(", ", d.features().stream().map(Object::toString).toList()), d.output(),
              d.outputFormat().spelling(), d.rows(), d.outputFingerprint());
          d.sourceFingerprints().forEach((f, h) -> out.printf("    %s %s%n", h, f));
        }
        out.flush();
        return 0;
      }
    }
  }

  @Command(name = "verify", description = "Check that a saved training set's output (file or directory) is unchanged since it was saved.")
  static final class Verify implements Callable<Integer> {
    @Parameters(paramLabel = "NAME") String name;
    @Mixin RepoOption repo;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        find(r, name);
        Reproduction check = r.verifyDataset(name);
        if (check.identical()) {
          out.printf("%s: %s is unchanged (%s)%n", name, check.dataset().output(), check.fingerprint());
        } else {
          out.printf("%s: %s CHANGED since it was saved: saved %s, now %s; write it again with quiver datasets reproduce %s"
              + " --out %s%n", name, check.dataset().output(), check.dataset().outputFingerprint(), check.fingerprint(), name,
              check.dataset().output());
        }
        out.flush();
        return check.identical() ? 0 : 1;
      }
    }
  }

  @Command(name = "reproduce", description = "Compute a saved training set again and check it is identical, byte for byte.")
  static final class Reproduce implements Callable<Integer> {
    @Parameters(paramLabel = "NAME") String name;

    @Option(names = "--out", paramLabel = "FILE|DIR/", required = true,
        description = "Where to write the regenerated training set: a file, or a directory for a dataset saved as one.")
    Path out;

    @Mixin RepoOption repo;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (FeatureRepo r = FeatureRepo.open(repo.repo)) {
        find(r, name);
        Progress progress = Progress.percent(spec.commandLine().getErr(), "reproducing " + name);
        Reproduction rep = r.reproduceDataset(name, this.out, p -> progress.update((long) p));
        progress.done(rep.rows());
        out.printf("Regenerated %s from registry version %d: %,d rows to %s%n", name, rep.dataset().registryVersion(), rep.rows(), rep.output());
        if (rep.identical()) {
          out.printf("Identical to the saved training set (%s)%n", rep.fingerprint());
        } else {
          out.printf("DIFFERENT from the saved training set: saved %s, now %s%n", rep.dataset().outputFingerprint(), rep.fingerprint());
        }
        out.flush();
        return rep.identical() ? 0 : 1;
      }
    }
  }

  static DatasetRecord find(FeatureRepo r, String name) {
    return r.registry().dataset(name).orElseThrow(() ->
        new NotFoundException("no dataset '" + name + "' in the registry (quiver datasets list)"));
  }
}
