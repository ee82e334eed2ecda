package dev.quiver.registry.postgres;

import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.RegistryStores;
import dev.quiver.testkit.LocalPostgres;
import dev.quiver.testkit.RegistryCopyContract;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** {@code quiver registry copy} from PostgreSQL into a file registry, against the copy contract, on a real server. */
class PostgresToFileCopyTest extends RegistryCopyContract {
  private static LocalPostgres pg;

  @TempDir Path dir;
  private int stores;

  @BeforeAll
  static void startPostgres() {
    pg = LocalPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @Override
  protected RegistryStore newSource() {
    return postgres();
  }

  @Override
  protected RegistryStore newTarget() {
    return file();
  }

  private static RegistryStore postgres() {
    return new PostgresRegistryProvider().open(pg.registryOptions(pg.newSchema()), Path.of("."));
  }

  private RegistryStore file() {
    return RegistryStores.open(Map.of("type", "file", "path", dir.resolve("file-" + stores++).toString()), dir);
  }
}
