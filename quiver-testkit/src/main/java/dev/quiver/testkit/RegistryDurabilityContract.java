package dev.quiver.testkit;

import static dev.quiver.testkit.RegistryFixtures.time;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.RegistryConflictException;
import dev.quiver.core.model.Definitions;
import dev.quiver.core.registry.RegistrySnapshot;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a store keeps across instances: versions survive a reopen (and commits continue from them),
 * table-source settings (partitioning, timestamp formats, schemas, Iceberg tables) survive a commit
 * and a reopen, instances over the same storage see each other's commits and conflicts, and closing
 * twice is harmless.
 *
 * <p>An implementation provides {@link RegistryStoreContract#newStore()} and {@link
 * RegistryStoreContract#reopen()} over the same storage.
 */
public interface RegistryDurabilityContract extends RegistryContractPart {
  @Test
  default void dataSurvivesReopen() {
    for (int v = 1; v <= 3; v++) {
      store().commit(v - 1, SampleDefinitions.sample(v), "ana", "change " + v, time(v));
    }
    List<VersionInfo> log = store().log();
    store().close();

    RegistryStore again = reopened();

    assertThat(again.head()).contains(log.getFirst());
    assertThat(again.log()).isEqualTo(log);
    for (int v = 1; v <= 3; v++) {
      assertThat(again.read(v).definitions()).isEqualTo(SampleDefinitions.sample(v));
    }
    VersionInfo fourth = again.commit(3, SampleDefinitions.sample(4), "bo", "", time(4));
    assertThat(fourth.version()).isEqualTo(4);
  }

  @Test
  default void tableSourceSettingsSurviveACommitAndReopen() {
    Definitions base = SampleDefinitions.sample(1);
    List<dev.quiver.core.model.Source> sources = new ArrayList<>(base.sources());
    sources.add(new dev.quiver.core.model.FileSource("events", "data/events/", dev.quiver.core.model.FileFormat.PARQUET,
        "day", null, null, null, dev.quiver.core.model.TableSettings.DEFAULT
            .withPartitioning(dev.quiver.core.model.Partitioning.HIVE, Map.of("day", dev.quiver.core.model.ScalarType.TIMESTAMP))
            .withTimestampFormat(dev.quiver.core.model.TimestampFormat.parse("yyyy-MM-dd"))));
    sources.add(new dev.quiver.core.model.FileSource("orders", "sales.orders", dev.quiver.core.model.FileFormat.PARQUET,
        "ts", null, null, null, dev.quiver.core.model.TableSettings.DEFAULT
            .withSchema(new java.util.LinkedHashMap<>(Map.of("ts", dev.quiver.core.model.ScalarType.INT64)))
            .withTimestampFormat(dev.quiver.core.model.TimestampFormat.parse("epoch_millis"))
            .withIceberg(new dev.quiver.core.model.IcebergTable("sales.orders", Map.of("type", "rest", "uri", "http://c:8181")))));
    Definitions withTables = new Definitions(base.project(), base.entities(), sources, base.views(), base.onDemandViews(),
        base.services());
    store().commit(0, withTables, "ana", "table sources", time(1));
    store().close();

    RegistrySnapshot back = reopened().read(1);

    assertThat(back.definitions()).isEqualTo(withTables);
    assertThat(back.definitions().source("orders").map(s -> s.batch().table().iceberg().table())).contains("sales.orders");
  }

  @Test
  default void instancesOverTheSameStorageSeeEachOther() {
    RegistryStore other = reopened();

    store().commit(0, SampleDefinitions.sample(1), "ana", "", time(1));

    assertThat(other.head().map(VersionInfo::version)).contains(1L);
    assertThatThrownBy(() -> other.commit(0, SampleDefinitions.sample(2), "bo", "", time(2)))
        .isInstanceOf(RegistryConflictException.class);
    other.commit(1, SampleDefinitions.sample(2), "bo", "", time(2));
    assertThat(store().read(2).definitions()).isEqualTo(SampleDefinitions.sample(2));
    assertThat(store().log()).extracting(VersionInfo::version).containsExactly(2L, 1L);
  }

  @Test
  default void closeIsIdempotent() {
    store().commit(0, SampleDefinitions.sample(), "ana", "", time(1));

    store().close();
    store().close();
  }
}
