package dev.quiver.cli;

import dev.quiver.core.repo.FeatureRepo;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The process {@link MaterializeKillTest} kills: a materialization that announces every written
 * batch on stdout, so the test can kill it at a known point. Arguments: REPO START END.
 */
public final class MaterializeChild {
  private MaterializeChild() {}

  public static void main(String[] args) {
    try (FeatureRepo r = FeatureRepo.open(Path.of(args[0]))) {
      r.materialize(List.of(), Instant.parse(args[1]), Instant.parse(args[2]), (view, read, written) -> {
        System.out.println("BATCH " + view + " " + read);
        System.out.flush();
      }, "child");
    }
    System.out.println("DONE");
  }
}
