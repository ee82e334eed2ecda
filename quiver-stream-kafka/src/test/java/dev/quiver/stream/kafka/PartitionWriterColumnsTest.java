package dev.quiver.stream.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A batch's rows turned column-major ({@link PartitionWriter#columns}): the fast path for rows with
 * the same fields in the same order must give what the general one gives (every field of any row, in
 * order of first appearance, null where a row lacks it), and rows that differ must take the general one.
 */
class PartitionWriterColumnsTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static PartitionWriter.Event event(long offset, Object... fields) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < fields.length; i += 2) {
      row.put((String) fields[i], fields[i + 1]);
    }
    return new PartitionWriter.Event(offset, row, T);
  }

  /** The reference: the union of names in first-appearance order, each row's value or null. */
  private static Map<String, List<Object>> reference(List<PartitionWriter.Event> events) {
    Set<String> names = new LinkedHashSet<>();
    events.forEach(e -> names.addAll(e.row().keySet()));
    Map<String, List<Object>> out = new LinkedHashMap<>();
    for (String n : names) {
      out.put(n, events.stream().map(e -> e.row().get(n)).toList());
    }
    return out;
  }

  @Test
  void uniformRowsAreTakenInOrder() {
    // names built at run time, so equal names are not the same instances: compared by value too
    List<PartitionWriter.Event> events = List.of(
        event(0, "user_id", 1L, "ts", T, "amount", 1.5),
        event(1, new String("user_id"), 2L, new String("ts"), T, new String("amount"), null),
        event(2, "user_id", 3L, "ts", T, "amount", 2.5));
    Map<String, List<Object>> columns = PartitionWriter.columns(events);
    assertThat(columns.keySet()).containsExactly("user_id", "ts", "amount");
    assertThat(columns.get("user_id")).containsExactly(1L, 2L, 3L);
    assertThat(columns.get("amount")).containsExactly(1.5, null, 2.5);
    assertThat(columns).isEqualTo(reference(events));
  }

  @Test
  void rowsWithOtherFieldsOrOrderFallBackToTheUnion() {
    List<PartitionWriter.Event> reordered = List.of(
        event(0, "a", 1L, "b", 2L),
        event(1, "b", 3L, "a", 4L));
    assertThat(PartitionWriter.columns(reordered)).isEqualTo(reference(reordered));
    assertThat(PartitionWriter.columns(reordered).get("a")).containsExactly(1L, 4L);

    List<PartitionWriter.Event> missing = List.of(
        event(0, "a", 1L, "b", 2L),
        event(1, "a", 3L),
        event(2, "a", 5L, "b", 6L, "c", "x"));
    Map<String, List<Object>> columns = PartitionWriter.columns(missing);
    assertThat(columns.keySet()).containsExactly("a", "b", "c");
    assertThat(columns.get("b")).containsExactly(2L, null, 6L);
    assertThat(columns.get("c")).containsExactly(null, null, "x");

    List<PartitionWriter.Event> sameSizeOtherName = List.of(
        event(0, "a", 1L, "b", 2L),
        event(1, "a", 3L, "c", 4L));
    assertThat(PartitionWriter.columns(sameSizeOtherName)).isEqualTo(reference(sameSizeOtherName));
  }

  @Test
  void randomBatchesMatchTheReference() {
    Random random = new Random(7);
    String[] names = {"user_id", "ts", "amount", "qty", "score"};
    for (int round = 0; round < 500; round++) {
      int n = 1 + random.nextInt(6);
      List<PartitionWriter.Event> events = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        List<String> fields = new java.util.ArrayList<>(Arrays.asList(names));
        if (random.nextInt(4) == 0) {
          java.util.Collections.shuffle(fields, random);
        }
        if (random.nextInt(4) == 0) {
          fields.remove(random.nextInt(fields.size()));
        }
        Map<String, Object> row = random.nextBoolean() ? new LinkedHashMap<>() : new HashMap<>();
        for (String f : fields) {
          row.put(f, random.nextInt(3) == 0 ? null : (Object) random.nextLong());
        }
        events.add(new PartitionWriter.Event(i, row, T));
      }
      assertThat(PartitionWriter.columns(events)).as("round %d", round).isEqualTo(reference(events));
      assertThat(List.copyOf(PartitionWriter.columns(events).keySet())).isEqualTo(List.copyOf(reference(events).keySet()));
    }
  }
}
