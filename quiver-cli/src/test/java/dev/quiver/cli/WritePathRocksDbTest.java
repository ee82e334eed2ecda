package dev.quiver.cli;

import dev.quiver.testkit.WritePathContract;

/** The write-path consistency contract on DuckDB and RocksDB. */
class WritePathRocksDbTest extends WritePathContract {
  @Override
  protected String onlineYaml() {
    return "{type: rocksdb, path: .quiver/online}";
  }
}
