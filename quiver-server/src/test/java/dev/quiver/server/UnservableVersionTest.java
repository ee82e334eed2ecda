package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.model.DerivedFeature;
import dev.quiver.core.model.Feature;
import dev.quiver.core.model.FeatureView;
import dev.quiver.core.model.ScalarType;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.TransformJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custom transforms in the server: a jar on the repo's transform classpath is served; a registry
 * version the server cannot load (a transform class it lacks, a derived feature that does not
 * compile) is not served: the last version that loaded keeps answering, {@code /ready} turns 503
 * saying why, the log says it once, and a later version that loads recovers.
 */
class UnservableVersionTest {
  static final String WITH_TRANSFORM = TestRepo.DEFINITIONS.replace("- {name: seen_at, column: seen_at}",
      "- {name: seen_at, column: seen_at}\n      - {name: amount_x2, transform: " + TransformJars.DOUBLER + ", args: [amount]}");
  static final String READ_X2 = "{\"features\": [\"user_stats:amount_x2\"], \"entities\": {\"user_id\": [3]}}";
  static final String READ_AMOUNT = "{\"features\": [\"user_stats:amount\"], \"entities\": {\"user_id\": [3]}}";

  @TempDir Path tmp;
  Path dir;
  final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
        warnings.add(r);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void repo() {
    dir = TestRepo.rocksdb(tmp.resolve("repo"));
    TransformJars.doubler(dir.resolve("lib/doubler.jar"));
    Logger.getLogger(LiveRegistry.class.getName()).addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    Logger.getLogger(LiveRegistry.class.getName()).removeHandler(capture);
  }

  /** Applies the definitions on disk, with quiver.yaml's classpath naming the jar, as a CLI with the jar would. */
  private long applyWithTheJar(String definitions) throws Exception {
    Files.writeString(dir.resolve("features/defs.yaml"), definitions);
    try (FeatureRepo withJar = FeatureRepo.open(dir)) {
      return withJar.apply(withJar.plan(false), "test", "transform", true).orElseThrow().version();
    }
  }

  private void addClasspathToQuiverYaml() throws Exception {
    Files.writeString(dir.resolve("quiver.yaml"), "classpath: [lib/*.jar]\n", StandardOpenOption.APPEND);
  }

  @Test
  void aServerWithTheJarOnItsRepoClasspathServesTheTransform() throws Exception {
    addClasspathToQuiverYaml();
    applyWithTheJar(WITH_TRANSFORM);
    try (FeatureRepo repo = FeatureRepo.open(dir);
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1));
         Http http = new Http(server.httpPort())) {
      Http.Reply r = http.post("/get-online-features", READ_X2);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(r.json().get("results").get(1).get("values").get(0).asDouble()).as("3 * 1.5, doubled").isEqualTo(9.0);
      assertThat(http.get("/ready").status()).isEqualTo(200);
    }
  }

  @Test
  void aVersionTheServerCannotLoadIsNotServedAndReadinessSaysWhyUntilALaterOneLoads() throws Exception {
    try (FeatureRepo repo = FeatureRepo.open(dir); // quiver.yaml has no classpath yet: this server lacks the jar
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1).withRegistryPoll(Duration.ofHours(1)));
         Http http = new Http(server.httpPort())) {
      assertThat(http.get("/ready").status()).isEqualTo(200);
      addClasspathToQuiverYaml();
      assertThat(applyWithTheJar(WITH_TRANSFORM)).isEqualTo(2);
      for (int poll = 0; poll < 3; poll++) {
        server.refreshRegistry();
      }

      Http.Reply ready = http.get("/ready");
      assertThat(ready.status()).as(ready.body()).isEqualTo(503);
      JsonNode body = ready.json();
      assertThat(body.get("registry_version").asLong()).as("still serving the last version that loaded").isEqualTo(1);
      assertThat(body.get("checks").get("registry").asText())
          .startsWith("registry version 2 cannot be served: transform class '" + TransformJars.DOUBLER + "' is not on the classpath")
          .endsWith("; serving version 1 instead");
      assertThat(http.post("/get-online-features", READ_AMOUNT).body()).contains("4.5");
      assertThat(http.post("/get-online-features", READ_X2).status()).as("version 1 has no such feature").isEqualTo(404);
      assertThat(warnings).as("logged once for the version, not at every poll").hasSize(1);
      assertThat(warnings.getFirst().getMessage()).startsWith("registry version 2 cannot be served");

      // a derived feature that does not compile (two versions later, committed without validation)
      long three = applyWithTheJar(TestRepo.DEFINITIONS.replace("- {name: seen_at, column: seen_at}",
          "- {name: seen_at, column: seen_at}\n      - {name: visits_again, column: visits}"));
      server.refreshRegistry();
      assertThat(http.get("/ready").status()).as("a later version that loads recovers").isEqualTo(200);
      assertThat(http.get("/ready").json().get("registry_version").asLong()).isEqualTo(three);
      RegistrySnapshot head = repo.registry().read(three);
      repo.registry().commit(three, withFeature(head.definitions(), new DerivedFeature("broken", "amount + country",
          ScalarType.FLOAT64, "")), "test", "unchecked", Instant.now());
      server.refreshRegistry();
      server.refreshRegistry();
      Http.Reply broken = http.get("/ready");
      assertThat(broken.status()).isEqualTo(503);
      assertThat(broken.json().get("checks").get("registry").asText())
          .startsWith("registry version " + (three + 1) + " cannot be served: derived feature user_stats@v1:broken does not compile:"
              + " '+' needs numbers, but 'country' is string")
          .endsWith("; serving version " + three + " instead");
      assertThat(http.post("/get-online-features", READ_AMOUNT).status()).isEqualTo(200);
      assertThat(warnings).hasSize(2);
    }
  }

  @Test
  void aServerStartedWithAnUnloadableHeadServesTheNewestVersionThatLoads() throws Exception {
    addClasspathToQuiverYaml();
    applyWithTheJar(WITH_TRANSFORM);
    Files.writeString(dir.resolve("quiver.yaml"), Files.readString(dir.resolve("quiver.yaml")).replace("classpath: [lib/*.jar]\n", ""));
    try (FeatureRepo repo = FeatureRepo.open(dir); // without the jar
         QuiverServer server = QuiverServer.start(repo, ServerOptions.loopback().withPorts(0, -1).withRegistryPoll(Duration.ofHours(1)));
         Http http = new Http(server.httpPort())) {
      Http.Reply ready = http.get("/ready");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().get("registry_version").asLong()).isEqualTo(1);
      assertThat(ready.json().get("checks").get("registry").asText()).startsWith("registry version 2 cannot be served: ")
          .endsWith("; serving version 1 instead");
      assertThat(http.post("/get-online-features", READ_AMOUNT).body()).contains("4.5");
      server.refreshRegistry();
      assertThat(warnings).as("the same problem at the next poll is not logged again").hasSize(1);
    }
  }

  private static Definitions withFeature(Definitions defs, Feature extra) {
    List<FeatureView> views = new ArrayList<>();
    for (FeatureView v : defs.views()) {
      List<Feature> features = new ArrayList<>(v.features());
      if (v.name().equals("user_stats")) {
        features.add(extra);
      }
      views.add(v.withFeatures(features));
    }
    return new Definitions(defs.project(), defs.entities(), defs.sources(), views, defs.onDemandViews(), defs.services());
  }
}
