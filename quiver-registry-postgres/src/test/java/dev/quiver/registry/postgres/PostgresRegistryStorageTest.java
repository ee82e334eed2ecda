package dev.quiver.registry.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.registry.RegistryCodec;
import dev.quiver.core.registry.RegistryStore;
import dev.quiver.core.registry.RegistryStoreProvider;
import dev.quiver.core.registry.VersionInfo;
import dev.quiver.core.registry.Watermark;
import dev.quiver.testkit.LocalPostgres;
import dev.quiver.testkit.SampleDatasets;
import dev.quiver.testkit.SampleDefinitions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the PostgreSQL registry stores things, how it is found, and what polling it costs. */
class PostgresRegistryStorageTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00.000001Z");
  private static LocalPostgres pg;

  @BeforeAll
  static void startPostgres() {
    pg = LocalPostgres.start();
  }

  @AfterAll
  static void stopPostgres() {
    pg.close();
  }

  private static RegistryStore open(String schema) {
    return new PostgresRegistryProvider().open(pg.registryOptions(schema), Path.of("."));
  }

  @Test
  void theProviderIsFoundByType() {
    assertThat(ServiceLoader.load(RegistryStoreProvider.class).stream().map(p -> p.get().type()))
        .contains(PostgresRegistryProvider.TYPE);
  }

  @Test
  void versionsDatasetsAndWatermarksAreStoredAsTheFileRegistrysBytes(@TempDir Path repo) throws Exception {
    String schema = pg.newSchema();
    Watermark w = new Watermark("user_txn@v1", T, 1, "ana", T);
    try (RegistryStore store = open(schema);
        RegistryStore file = ServiceLoader.load(RegistryStoreProvider.class).stream().map(p -> p.get())
            .filter(p -> p.type().equals("file")).findFirst().orElseThrow().open(Map.of(), repo)) {
      VersionInfo info = store.commit(0, SampleDefinitions.sample(3), "ana", "first", T);
      file.commit(0, SampleDefinitions.sample(3), "ana", "first", T);
      store.saveDataset(SampleDatasets.sample("fraud_train"));
      store.advanceWatermark(w);

      byte[] fileBytes = Files.readAllBytes(repo.resolve(".quiver/registry/versions/0000000001.json"));
      assertThat(column(schema, "SELECT body FROM versions WHERE version = 1")).isEqualTo(fileBytes)
          .isEqualTo(RegistryCodec.encode(store.read(1)));
      assertThat(column(schema, "SELECT body FROM datasets WHERE name = 'fraud_train'"))
          .isEqualTo(RegistryCodec.encodeDataset(SampleDatasets.sample("fraud_train")));
      assertThat(column(schema, "SELECT body FROM watermarks WHERE view = 'user_txn@v1'"))
          .isEqualTo(RegistryCodec.encodeWatermark(w));
      assertThat(new String(column(schema, "SELECT content_hash FROM versions"))).isEqualTo(info.contentHash());
    }
  }

  @Test
  void aDamagedRowIsReportedByVersionNotServed() {
    String schema = pg.newSchema();
    try (RegistryStore store = open(schema)) {
      store.commit(0, SampleDefinitions.sample(1), "ana", "", T);
      pg.execute("UPDATE " + schema + ".versions SET body = convert_to(replace(convert_from(body, 'UTF8'),"
          + " 'payments', 'paymentz'), 'UTF8')");
      try (RegistryStore other = open(schema)) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> other.read(1))
            .hasMessageContaining("registry version 1 is damaged").hasMessageContaining("hash");
      }
    }
  }

  /**
   * The cost of what a server does every second to notice a new version ({@code LiveRegistry}:
   * head() and watermarks()), on a registry of 200 versions and 50 watermarks; and a new version
   * is seen by another instance at its next poll.
   */
  @Test
  void pollingForANewVersionIsCheap() {
    String schema = pg.newSchema();
    try (RegistryStore writer = open(schema); RegistryStore server = open(schema)) {
      for (int v = 1; v <= 200; v++) {
        writer.commit(v - 1, SampleDefinitions.sample(v), "ana", "", T);
      }
      for (int i = 0; i < 50; i++) {
        writer.advanceWatermark(new Watermark("view_" + i + "@v1", T, 1, "ana", T));
      }
      assertThat(server.head().orElseThrow().version()).isEqualTo(200);
      int polls = 500;
      long[] micros = new long[polls];
      for (int i = 0; i < polls; i++) {
        long start = System.nanoTime();
        server.head();
        server.watermarks();
        micros[i] = (System.nanoTime() - start) / 1000;
      }
      Arrays.sort(micros);
      System.out.printf("registry poll (head + 50 watermarks) over %d polls: p50 %d us, p99 %d us, max %d us%n", polls,
          micros[polls / 2], micros[polls * 99 / 100], micros[polls - 1]);
      assertThat(micros[polls / 2]).as("median poll, microseconds").isLessThan(50_000);

      writer.commit(200, SampleDefinitions.sample(201), "bo", "", T);
      assertThat(server.head().orElseThrow().version()).isEqualTo(201);
      assertThat(server.head().orElseThrow().author()).isEqualTo("bo");
    }
  }

  private static byte[] column(String schema, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(pg.url(), LocalPostgres.USER, LocalPostgres.PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("SET search_path TO " + schema);
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getBytes(1);
      }
    }
  }
}
