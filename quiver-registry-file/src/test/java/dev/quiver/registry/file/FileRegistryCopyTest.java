package dev.quiver.registry.file;

import dev.quiver.core.registry.RegistryStore;
import dev.quiver.testkit.RegistryCopyContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver registry copy} from one file registry into another, against the copy contract. */
class FileRegistryCopyTest extends RegistryCopyContract {
  @TempDir Path dir;
  private int stores;

  @Override
  protected RegistryStore newSource() {
    return new FileRegistryStore(dir.resolve("source"));
  }

  @Override
  protected RegistryStore newTarget() {
    return new FileRegistryStore(dir.resolve("target-" + stores++));
  }
}
