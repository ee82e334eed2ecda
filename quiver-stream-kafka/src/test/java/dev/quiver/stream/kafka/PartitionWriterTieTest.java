package dev.quiver.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.StreamSource;
import dev.quiver.core.offline.HistoricalRequest;
import dev.quiver.core.offline.HistoricalRows;
import dev.quiver.core.offline.QueryInput;
import dev.quiver.core.online.Pusher;
import dev.quiver.core.repo.FeatureRepo;
import dev.quiver.testkit.StreamRepo;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN §3 "Ties" for a stream appended to its batch twin, without a broker: the consumer's online
 * write gives each event its row in the twin as tie position, so a push written offline after the
 * twin file that ties a streamed event wins online as it wins offline (before, the streamed event's
 * offset position sorted after every file row and kept it online), and a replay of the batch keeps it so.
 */
class PartitionWriterTieTest {
  static final Instant NOW = Instant.parse("2026-01-02T00:00:00Z");

  @TempDir Path tmp;

  @Test
  void aPushTyingAStreamedEventAfterItsTwinFileWinsOnlineAsOffline() throws Exception {
    Path repo = repo();
    try (FeatureRepo r = FeatureRepo.open(repo, Clock.fixed(NOW, ZoneOffset.UTC))) {
      StreamSource source = (StreamSource) r.appliedDefinitions().source("txns").orElseThrow();
      Pusher pusher = r.pusher();
      PartitionWriter writer = new PartitionWriter(source, new JsonEvents(source, List.of("user_id")),
          (s, columns, origin) -> pusher.push(s, columns, Pusher.Target.ONLINE, origin), r.offline(), repo,
          Set.of("user_id", "ts", "amount", "country"), r.timeBounds());
      List<ConsumerRecord<byte[], byte[]>> batch = List.of(
          record(0, "{\"user_id\": 1, \"ts\": \"2026-01-01T10:00:00Z\", \"amount\": 2.5, \"country\": \"streamed\"}"),
          record(1, "{\"user_id\": 2, \"ts\": \"2026-01-01T10:00:00Z\", \"amount\": 3.5, \"country\": \"other\"}"));
      assertThat(writer.apply(0, batch).applied()).isEqualTo(2);

      Map<String, List<Object>> tie = new LinkedHashMap<>();
      tie.put("user_id", List.of(1L));
      tie.put("event_ts", List.of("2026-01-01T10:00:00Z"));
      tie.put("amount", List.of(9.5));
      tie.put("country", List.of("pushed"));
      Path pushed = r.push("txns", tie, Pusher.Target.ONLINE_AND_OFFLINE).offlineFile();
      assertThat(pushed.getFileName().toString()).startsWith("stream-p00000-o00000000000000000000-00000000000000000001~push-");

      assertThat(offlineCountry(r, repo)).as("offline: the pushed file sorts last").isEqualTo("pushed");
      assertThat(onlineCountry(r)).as("online, as offline").isEqualTo("pushed");
      writer.apply(0, batch); // a replay of the batch (the consumer restarted before its commit)
      assertThat(onlineCountry(r)).as("a replay carries the same positions").isEqualTo("pushed");
      r.materialize(List.of(), Instant.parse("2026-01-01T00:00:00Z"), NOW, (v, read, written) -> {}, "test");
      assertThat(onlineCountry(r)).as("after materialization").isEqualTo("pushed");
    }
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset, String json) {
    return new ConsumerRecord<>("txns", 0, offset, null, json.getBytes(StandardCharsets.UTF_8));
  }

  private static Object onlineCountry(FeatureRepo r) {
    return r.getOnlineFeatures(List.of(FeatureRef.of("user_last:country")), Map.of("user_id", List.of(1L)), false)
        .features().getFirst().values().getFirst();
  }

  private static Object offlineCountry(FeatureRepo r, Path repo) throws Exception {
    Path query = repo.resolve("query.csv");
    Files.writeString(query, "user_id,event_timestamp\n1,2026-01-01 12:00:00\n");
    try (HistoricalRows rows = r.getHistoricalFeatures(HistoricalRequest.ofFeatures(
        new QueryInput.Files(query.toString(), dev.quiver.core.model.FileFormat.CSV), List.of(FeatureRef.of("user_last:country"))))) {
      List<Object[]> out = new ArrayList<>();
      rows.forEachRemaining(out::add);
      Object[] row = out.getFirst();
      return Arrays.asList(row).getLast();
    }
  }

  private Path repo() throws Exception {
    return StreamRepo.at(tmp.resolve("repo"), "127.0.0.1:9", "txns").apply(Clock.fixed(NOW, ZoneOffset.UTC), "ties");
  }
}
