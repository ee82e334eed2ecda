package dev.quiver.online.rocksdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.online.OnlineStore;
import dev.quiver.core.online.OnlineStoreProvider;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbOnlineStoreProviderTest {
  @TempDir Path repo;

  private final RocksDbOnlineStoreProvider provider = new RocksDbOnlineStoreProvider();

  @Test
  void isFoundByServiceLoaderAsTypeRocksdb() {
    assertThat(ServiceLoader.load(OnlineStoreProvider.class).stream().map(ServiceLoader.Provider::get))
        .filteredOn(p -> p.type().equals("rocksdb"))
        .singleElement()
        .isInstanceOf(RocksDbOnlineStoreProvider.class);
  }

  @Test
  void defaultsToDotQuiverOnlineInTheRepo() {
    try (OnlineStore store = provider.open(Map.of("type", "rocksdb"), repo)) {
      assertThat(((RocksDbOnlineStore) store).path()).isEqualTo(repo.resolve(".quiver/online").toAbsolutePath());
      store.check();
    }

    assertThat(repo.resolve(".quiver/online/CURRENT")).isRegularFile();
  }

  @Test
  void resolvesARelativePathAgainstTheRepoAndKeepsAnAbsoluteOne(@TempDir Path elsewhere) {
    try (OnlineStore relative = provider.open(Map.of("path", "data/online"), repo);
        OnlineStore absolute = provider.open(Map.of("path", elsewhere.resolve("db").toString()), repo)) {
      relative.check();
      absolute.check();
    }

    assertThat(repo.resolve("data/online/CURRENT")).isRegularFile();
    assertThat(elsewhere.resolve("db/CURRENT")).isRegularFile();
  }

  @Test
  void acceptsEveryDocumentedOptionAsYamlGivesIt() {
    Map<String, Object> options = new HashMap<>();
    options.put("type", "rocksdb");
    options.put("path", "online");
    options.put("block_cache_mb", 32);
    options.put("write_buffer_mb", "16");
    options.put("written_rows_mb", 0);
    options.put("sync", true);
    try (OnlineStore store = provider.open(options, repo)) {
      store.createTable("t");
      assertThat(store.multiGet("t", List.of(new byte[] {1}))).containsOnlyNulls();
    }
    options.put("sync", "false");
    options.put("block_cache_mb", null);
    options.put("written_rows_mb", "64");
    try (OnlineStore store = provider.open(options, repo)) {
      store.check();
    }
  }

  @Test
  void keptRowsByDefaultFitAnEighthOfTheHeapAtMost256Megabytes() {
    long max = Runtime.getRuntime().maxMemory();
    assertThat(RocksDbOnlineStore.defaultWrittenRowsBytes())
        .isPositive()
        .isLessThanOrEqualTo(RocksDbOnlineStore.DEFAULT_WRITTEN_ROWS_BYTES)
        .isLessThanOrEqualTo(max / 8)
        .isEqualTo(Math.min(256L << 20, max / 8));
  }

  @Test
  void rejectsUnknownOptionsNamingThem() {
    assertThatThrownBy(() -> provider.open(Map.of("pth", "x", "block_cache", 8), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("unknown options block_cache, pth")
        .hasMessageContaining("'path'")
        .hasMessageContaining("block_cache_mb");
    assertThatThrownBy(() -> provider.open(Map.of("host", "localhost"), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("unknown option host");
  }

  @Test
  void rejectsMalformedOptionsNamingThem() {
    assertThatThrownBy(() -> provider.open(Map.of("block_cache_mb", "lots"), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("online.block_cache_mb")
        .hasMessageContaining("lots");
    assertThatThrownBy(() -> provider.open(Map.of("write_buffer_mb", 0), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("online.write_buffer_mb");
    assertThatThrownBy(() -> provider.open(Map.of("write_buffer_mb", 1.5), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("online.write_buffer_mb");
    assertThatThrownBy(() -> provider.open(Map.of("written_rows_mb", -1), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("online.written_rows_mb must be a whole number of megabytes from 0");
    assertThatThrownBy(() -> provider.open(Map.of("sync", "yes please"), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("online.sync");
    assertThatThrownBy(() -> provider.open(Map.of("path", " "), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("online.path");
    assertThatThrownBy(() -> provider.open(Map.of("path", 42), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining("online.path");
  }

  @Test
  void aPathThatIsAFileFailsNamingIt() throws Exception {
    Path file = java.nio.file.Files.writeString(repo.resolve("not-a-dir"), "x");

    assertThatThrownBy(() -> provider.open(Map.of("path", "not-a-dir"), repo))
        .isInstanceOf(QuiverException.class)
        .hasMessageContaining(file.toAbsolutePath().toString());
  }
}
