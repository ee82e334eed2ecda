package dev.quiver.cli;

import dev.quiver.testkit.ConcurrentWritesContract;

/** Pushes racing with materializations, on DuckDB and RocksDB. */
class ConcurrentWritesRocksDbTest extends ConcurrentWritesContract {
  @Override
  protected String onlineYaml() {
    return "{type: rocksdb, path: .quiver/online}";
  }
}
