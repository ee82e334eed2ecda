package dev.quiver.registry.postgres;

import dev.quiver.core.registry.RegistryStore;
import dev.quiver.testkit.LocalPostgres;
import dev.quiver.testkit.TokenStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The PostgreSQL registry's TokenStore against the contract every registry store honours, on a real server. */
class PostgresTokenStoreContractTest extends TokenStoreContract {
  private static LocalPostgres pg;
  private String schema;

  @BeforeAll
  static void startPostgres() {
    pg = LocalPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @Override
  protected RegistryStore newStore() {
    schema = pg.newSchema();
    return reopen();
  }

  @Override
  protected RegistryStore reopen() {
    return new PostgresRegistryProvider().open(pg.registryOptions(schema), Path.of("."));
  }
}
