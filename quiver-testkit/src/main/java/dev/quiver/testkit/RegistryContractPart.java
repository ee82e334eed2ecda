package dev.quiver.testkit;

import dev.quiver.core.registry.RegistryStore;

/**
 * What every part of the {@link RegistryStoreContract} works on: the store under test and more
 * instances over its storage. A store's test does not implement the parts one by one: it extends
 * {@link RegistryStoreContract}, which implements these and every part.
 */
public interface RegistryContractPart {
  /** The store under test, opened before each test by {@link RegistryStoreContract#newStore()}. */
  RegistryStore store();

  /** {@link RegistryStoreContract#reopen()}: another instance over the same storage, closed after the test. */
  RegistryStore reopened();
}
