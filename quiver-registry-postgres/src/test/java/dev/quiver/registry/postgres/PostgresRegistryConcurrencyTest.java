package dev.quiver.registry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.RegistryConflictException;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.testkit.LocalPostgres;
import dev.quiver.testkit.SampleDefinitions;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many writers on two separate store instances (two connection pools: two machines, as far as the
 * database can tell) apply at once against one PostgreSQL registry: every version from 1 to N lands
 * exactly once, and every writer that lost a race was told to plan again.
 */
class PostgresRegistryConcurrencyTest {
  private static final int MACHINES = 2;
  private static final int THREADS_PER_MACHINE = 4;
  private static final int PER_WRITER = 8;
  private static LocalPostgres pg;

  @BeforeAll
  static void startPostgres() {
    pg = LocalPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  @Test
  @Timeout(120)
  void writersOnTwoMachinesLandEveryVersionOnceAndLosersAreToldToReplan() throws Exception {
    String schema = pg.newSchema();
    List<RegistryStore> machines = new ArrayList<>();
    for (int m = 0; m < MACHINES; m++) {
      machines.add(new PostgresRegistryProvider().open(pg.registryOptions(schema), Path.of(".")));
    }
    ConcurrentLinkedQueue<String> conflicts = new ConcurrentLinkedQueue<>();
    int writers = MACHINES * THREADS_PER_MACHINE;
    CyclicBarrier start = new CyclicBarrier(writers);
    List<Callable<List<VersionInfo>>> tasks = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      RegistryStore via = machines.get(w % MACHINES);
      int writer = w;
      tasks.add(() -> {
        start.await(30, TimeUnit.SECONDS);
        List<VersionInfo> won = new ArrayList<>();
        while (won.size() < PER_WRITER) {
          long head = via.head().map(VersionInfo::version).orElse(0L); // plan
          try {
            won.add(via.commit(head, SampleDefinitions.sample(writer * 100 + won.size()), "writer-" + writer,
                "change " + won.size(), Instant.parse("2026-01-01T00:00:00Z").plusSeconds(won.size())));
          } catch (RegistryConflictException lost) {
            conflicts.add(lost.getMessage());
          }
        }
        return won;
      });
    }

    List<VersionInfo> all = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<List<VersionInfo>>> futures = new ArrayList<>();
      for (Callable<List<VersionInfo>> t : tasks) {
        futures.add(pool.submit(t));
      }
      for (Future<List<VersionInfo>> f : futures) {
        all.addAll(f.get(100, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    long total = (long) writers * PER_WRITER;
    assertThat(all).extracting(VersionInfo::version).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
    try (RegistryStore fresh = new PostgresRegistryProvider().open(pg.registryOptions(schema), Path.of("."))) {
      assertThat(fresh.log()).extracting(VersionInfo::version)
          .containsExactlyElementsOf(LongStream.iterate(total, v -> v >= 1, v -> v - 1).boxed().toList());
      for (VersionInfo won : all) {
        assertThat(fresh.read(won.version()).info()).isEqualTo(won);
        assertThat(fresh.read(won.version()).info().parent()).isEqualTo(won.version() - 1);
      }
    }
    assertThat(conflicts).as("races were lost (the test raced)").isNotEmpty();
    assertThat(conflicts).allSatisfy(m -> assertThat(m).endsWith("; run plan again"));
    for (RegistryStore s : machines) {
      s.close();
    }
  }
}
