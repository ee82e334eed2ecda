package dev.quiver.registry.postgres;

import dev.quiver.core.registry.RegistryStore;

/** {@code quiver registry copy} from a file registry into PostgreSQL, against the copy contract, on a real server. */
class FileToPostgresCopyTest extends PostgresCopyFixture {
  @Override
  protected RegistryStore newSource() {
    return file();
  }

  @Override
  protected RegistryStore newTarget() {
    return postgres();
  }
}
