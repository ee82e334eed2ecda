package dev.quiver.core.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.DefinitionException;
import dev.quiver.core.QuiverException;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** quiver.yaml's {@code classpath:} and $QUIVER_CLASSPATH: which jars they name, and the errors for entries that name none. */
class TransformClasspathTest {
  @TempDir Path repo;

  @BeforeEach
  void files() throws Exception {
    Files.createDirectories(repo.resolve("lib/nested"));
    Files.createDirectories(repo.resolve("classes"));
    for (String f : new String[] {"lib/b.jar", "lib/a.jar", "lib/readme.txt", "lib/nested/c.jar"}) {
      Files.writeString(repo.resolve(f), "");
    }
  }

  private RepoConfig config(String classpath) throws Exception {
    Files.writeString(repo.resolve("quiver.yaml"), "project: p\n" + classpath);
    return new DefinitionLoader().loadConfig(repo);
  }

  @Test
  void entriesArePathsOrGlobsOverJarsRelativeToTheRepo() throws Exception {
    RepoConfig config = config("classpath: [lib/*.jar, classes, \"lib/**/*.jar\"]\n");
    assertThat(config.classpath()).containsExactly("lib/*.jar", "classes", "lib/**/*.jar");
    try (TransformClasspath cp = TransformClasspath.of(config, null, Path.of(""))) {
      assertThat(cp.entries()).containsExactly(repo.resolve("lib/a.jar"), repo.resolve("lib/b.jar"), repo.resolve("classes"),
          repo.resolve("lib/nested/c.jar"));
      assertThat(cp.loader()).isInstanceOf(URLClassLoader.class);
      assertThat(Arrays.stream(((URLClassLoader) cp.loader()).getURLs()).map(Object::toString))
          .anyMatch(u -> u.endsWith("/classes/"));
    }
  }

  @Test
  void globsFollowTheRulesOfSourcePaths() throws Exception {
    // one glob dialect for every path Quiver expands (SourceFiles): ** matches no folder too
    try (TransformClasspath cp = TransformClasspath.of(config("classpath: [\"lib/**/*.jar\"]\n"), null, Path.of(""))) {
      assertThat(cp.entries()).containsExactly(repo.resolve("lib/a.jar"), repo.resolve("lib/b.jar"),
          repo.resolve("lib/nested/c.jar"));
    }
    try (TransformClasspath cp = TransformClasspath.of(config("classpath: [\"lib/[ab].jar\", \"lib/*/?.jar\"]\n"), null,
        Path.of(""))) {
      assertThat(cp.entries()).containsExactly(repo.resolve("lib/a.jar"), repo.resolve("lib/b.jar"),
          repo.resolve("lib/nested/c.jar"));
    }
  }

  @Test
  void noEntriesMeansQuiversOwnClasspath() throws Exception {
    try (TransformClasspath cp = TransformClasspath.of(config(""), " ", repo)) {
      assertThat(cp.entries()).isEmpty();
      assertThat(cp.loader()).isSameAs(dev.quiver.core.derived.Transforms.defaultLoader());
    }
  }

  @Test
  void anEntryThatNamesNothingIsAnErrorNamingIt() throws Exception {
    assertThatThrownBy(() -> TransformClasspath.of(config("classpath: [lib/*.zip]\n"), null, repo))
        .isInstanceOf(QuiverException.class)
        .hasMessage("quiver.yaml: classpath entry 'lib/*.zip' matches no .jar file under " + repo.resolve("lib")
            + "; build the jar or fix the pattern");
    assertThatThrownBy(() -> TransformClasspath.of(config("classpath: [transforms.jar]\n"), null, repo))
        .hasMessage("quiver.yaml: classpath entry 'transforms.jar' names " + repo.resolve("transforms.jar")
            + ", which does not exist; build the jar or fix the path");
    assertThatThrownBy(() -> TransformClasspath.of(config(""), "lib/*.jar" + java.io.File.pathSeparator + "missing/*.jar", repo))
        .hasMessageContaining("QUIVER_CLASSPATH entry 'missing/*.jar' matches no .jar file under " + repo.resolve("missing"));
  }

  @Test
  void theClasspathMustBeAList() {
    assertThatThrownBy(() -> config("classpath: {a: b}\n")).isInstanceOf(DefinitionException.class)
        .hasMessageContaining("'classpath' must be a list");
  }
}
