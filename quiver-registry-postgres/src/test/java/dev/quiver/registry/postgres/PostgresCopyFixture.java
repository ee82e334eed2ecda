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

/** The copy contract with a real PostgreSQL server and file registries at hand: a subclass picks the direction. */
abstract class PostgresCopyFixture extends RegistryCopyContract {
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

  /** A new, empty PostgreSQL registry: a fresh schema. */
  static RegistryStore postgres() {
    return new PostgresRegistryProvider().open(pg.registryOptions(pg.newSchema()), Path.of("."));
  }

  /** A new, empty file registry. */
  RegistryStore file() {
    return RegistryStores.open(Map.of("type", "file", "path", dir.resolve("file-" + stores++).toString()), dir);
  }
}
