package dev.quiver.registry.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.testkit.TokenStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file registry's API tokens against the contract every token store honours, and its layout. */
class FileTokenStoreTest extends TokenStoreContract {
  @TempDir Path dir;

  @Override
  protected RegistryStore newStore() {
    return new FileRegistryStore(dir.resolve("registry"));
  }

  @Override
  protected RegistryStore reopen() {
    return new FileRegistryStore(dir.resolve("registry"));
  }

  @Test
  void aRecordHoldsTheHashNeverMoreAndARevocationIsItsOwnFile() throws Exception {
    try (FileRegistryStore store = new FileRegistryStore(dir.resolve("registry"))) {
      var t = token("abc", "bot", Instant.parse("2026-01-01T00:00:00Z"), Optional.empty(), "reader");
      store.tokens().create(t);
      String record = Files.readString(dir.resolve("registry/tokens/abc.json"));
      assertThat(record).contains("\"sha256\":\"" + t.hash() + "\"").contains("\"name\":\"bot\"");
      store.tokens().revoke("abc", Instant.parse("2026-01-02T00:00:00Z"));
      assertThat(Files.readString(dir.resolve("registry/tokens/abc.json"))).isEqualTo(record);
      assertThat(Files.readString(dir.resolve("registry/tokens/abc.revoked.json"))).contains("2026-01-02T00:00:00Z");
    }
  }

  @Test
  void aDamagedRecordIsNamed() throws Exception {
    try (FileRegistryStore store = new FileRegistryStore(dir.resolve("registry"))) {
      Files.createDirectories(dir.resolve("registry/tokens"));
      Files.writeString(dir.resolve("registry/tokens/bad.json"), "{\"format\":1,\"id\":\"bad\"}");
      assertThatThrownBy(() -> store.tokens().find("bad")).isInstanceOf(QuiverException.class)
          .hasMessageContaining("API token bad is damaged").hasMessageContaining("'name' is missing");
    }
  }
}
