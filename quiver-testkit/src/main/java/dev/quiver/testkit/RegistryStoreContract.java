package dev.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.registry.RegistryStore;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The behaviour every {@link RegistryStore} must have. A store's test extends this class and says
 * how to open one:
 *
 * <pre>{@code
 * class FileRegistryStoreTest extends RegistryStoreContract {
 *   @TempDir Path dir;
 *   @Override protected RegistryStore newStore() { return new FileRegistryStore(dir); }
 *   @Override protected RegistryStore reopen() { return new FileRegistryStore(dir); }
 * }
 * }</pre>
 *
 * <p>Each test calls {@link #newStore()} once, first, and may then call {@link #reopen()} any number
 * of times, possibly while earlier instances are still open (as separate processes would). Every
 * store either returns is closed after the test.
 *
 * <p>The cases live in the parts this class implements, each a test interface that reads on its
 * own: {@link RegistryVersionContract} (commit, read, log, conflicts), {@link
 * RegistryCommitRaceContract} (racing commits), {@link RegistryDurabilityContract} (reopening,
 * instances over one storage), {@link RegistryDatasetContract} (saved datasets), {@link
 * RegistryWatermarkContract} (materialization watermarks) and {@link RegistryQualityLogContract}
 * (validation rules, validation and skew logs).
 */
public abstract class RegistryStoreContract implements RegistryVersionContract, RegistryCommitRaceContract,
    RegistryDurabilityContract, RegistryDatasetContract, RegistryWatermarkContract, RegistryQualityLogContract {
  private final List<RegistryStore> opened = new ArrayList<>();

  private RegistryStore store;

  /** A new, empty store; called once per test, before anything else. */
  protected abstract RegistryStore newStore();

  /** A new instance over the same storage as the last {@link #newStore()}; it may be called while that one is open. */
  protected abstract RegistryStore reopen();

  @BeforeEach
  final void openStore() {
    store = track(newStore());
  }

  @AfterEach
  final void closeStores() {
    for (RegistryStore s : opened) {
      s.close();
    }
    opened.clear();
  }

  /** The store under test, from {@link #newStore()}. */
  @Override
  public final RegistryStore store() {
    return store;
  }

  /** {@link #reopen()}, closed after the test. */
  @Override
  public final RegistryStore reopened() {
    return track(reopen());
  }

  private RegistryStore track(RegistryStore s) {
    assertThat(s).as("store").isNotNull();
    opened.add(s);
    return s;
  }
}
