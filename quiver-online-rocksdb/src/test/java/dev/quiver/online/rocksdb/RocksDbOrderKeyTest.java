package dev.quiver.online.rocksdb;

import dev.quiver.core.online.OnlineStore;
import dev.quiver.testkit.OrderKeyContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The tie order of rows ({@link OrderKeyContract}) in RocksDB. */
class RocksDbOrderKeyTest extends OrderKeyContract {
  @TempDir Path dir;

  @Override
  protected OnlineStore newStore() {
    return RocksDbOnlineStore.open(dir.resolve("online"), 16L << 20, 8L << 20, false);
  }
}
