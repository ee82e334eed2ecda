package dev.quiver.registry.file;

import dev.quiver.core.registry.RegistryStore;
import dev.quiver.testkit.RegistryStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The file registry against the contract every registry store honours. */
class FileRegistryStoreTest extends RegistryStoreContract {
  @TempDir Path dir;

  @Override
  protected RegistryStore newStore() {
    return new FileRegistryStore(dir.resolve("registry"));
  }

  @Override
  protected RegistryStore reopen() {
    return new FileRegistryStore(dir.resolve("registry"));
  }
}
