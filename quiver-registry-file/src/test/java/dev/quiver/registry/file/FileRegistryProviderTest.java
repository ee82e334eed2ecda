package dev.quiver.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.RegistryStoreProvider;
import dev.quiver.testkit.SampleDefinitions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRegistryProviderTest {
  @TempDir Path repo;

  @Test
  void isFoundByServiceLoaderAsTypeFile() {
    assertThat(ServiceLoader.load(RegistryStoreProvider.class).stream().map(p -> p.get()))
        .filteredOn(p -> p.type().equals("file"))
        .singleElement()
        .isInstanceOf(FileRegistryProvider.class);
  }

  @Test
  void defaultsToDotQuiverRegistryInTheRepo() {
    try (RegistryStore store = new FileRegistryProvider().open(Map.of("type", "file"), repo)) {
      store.commit(0, SampleDefinitions.sample(), "ana", "", Instant.EPOCH);
    }

    assertThat(repo.resolve(".quiver/registry/versions/0000000001.json")).isRegularFile();
  }

  @Test
  void resolvesARelativePathAgainstTheRepoAndKeepsAnAbsoluteOne(@TempDir Path elsewhere) {
    try (RegistryStore relative = new FileRegistryProvider().open(Map.of("path", "reg"), repo);
        RegistryStore absolute =
            new FileRegistryProvider().open(Map.of("path", elsewhere.toString()), repo)) {
      relative.commit(0, SampleDefinitions.sample(), "ana", "", Instant.EPOCH);
      absolute.commit(0, SampleDefinitions.sample(), "ana", "", Instant.EPOCH);
    }

    assertThat(repo.resolve("reg/versions/0000000001.json")).isRegularFile();
    assertThat(elsewhere.resolve("versions/0000000001.json")).isRegularFile();
  }

  @Test
  void openingCreatesNothing() {
    try (RegistryStore store = new FileRegistryProvider().open(Map.of(), repo)) {
      assertThat(store.head()).isEmpty();
      assertThat(store.log()).isEmpty();
    }

    assertThat(Files.exists(repo.resolve(".quiver"))).isFalse();
  }

  @Test
  void rejectsUnknownOptionsAndNonPaths() {
    FileRegistryProvider provider = new FileRegistryProvider();

    assertThatThrownBy(() -> provider.open(Map.of("pth", "x"), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("unknown option pth")
        .hasMessageContaining("'path'");
    assertThatThrownBy(() -> provider.open(Map.of("path", 42), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("registry.path");
    assertThatThrownBy(() -> provider.open(Map.of("path", "  "), repo))
        .isInstanceOf(QuiverException.class);
  }
}
