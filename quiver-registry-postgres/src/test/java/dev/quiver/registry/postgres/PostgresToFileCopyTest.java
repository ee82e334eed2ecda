package dev.quiver.registry.postgres;

import dev.quiver.core.registry.RegistryStore;

/** {@code quiver registry copy} from PostgreSQL into a file registry, against the copy contract, on a real server. */
class PostgresToFileCopyTest extends PostgresCopyFixture {
  @Override
  protected RegistryStore newSource() {
    return postgres();
  }

  @Override
  protected RegistryStore newTarget() {
    return file();
  }
}
