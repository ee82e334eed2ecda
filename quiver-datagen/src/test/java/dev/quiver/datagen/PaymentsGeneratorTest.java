package dev.quiver.datagen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PaymentsGeneratorTest {

  private static final PaymentsDataset SMALL = PaymentsDataset.of(42, 20_000);

  /** 100k rows, shared by the property tests; generated once (about 0.2 s). */
  private static final List<Transaction> ROWS =
      new PaymentsGenerator(PaymentsDataset.of(7, 100_000)).transactions().toList();

  @Test
  void theSameDatasetGivesTheSameRows() {
    PaymentsGenerator first = new PaymentsGenerator(SMALL);
    PaymentsGenerator second = new PaymentsGenerator(PaymentsDataset.of(42, 20_000));

    assertThat(second.transactions().toList()).isEqualTo(first.transactions().toList());
    assertThat(second.userProfiles().toList()).isEqualTo(first.userProfiles().toList());
    assertThat(second.merchantProfiles().toList()).isEqualTo(first.merchantProfiles().toList());
    // and one generator's streams are independent and repeatable
    assertThat(first.transactions().limit(100).toList())
        .isEqualTo(first.transactions().limit(100).toList());
  }

  @Test
  void anotherSeedGivesOtherRows() {
    List<Transaction> a = new PaymentsGenerator(SMALL).transactions().limit(1_000).toList();
    List<Transaction> b =
        new PaymentsGenerator(PaymentsDataset.of(43, 20_000)).transactions().limit(1_000).toList();

    long same = 0;
    for (int i = 0; i < a.size(); i++) {
      same += a.get(i).equals(b.get(i)) ? 1 : 0;
    }
    assertThat(same).isZero();
    assertThat(new PaymentsGenerator(PaymentsDataset.of(43, 20_000)).userProfiles().toList())
        .isNotEqualTo(new PaymentsGenerator(SMALL).userProfiles().toList());
  }

  /**
   * Pins the generated rows. If this fails after an intended change to the generator, update the
   * value: the rows of every seed have changed, so say so in the change log.
   */
  @Test
  void goldenFingerprint() {
    PaymentsGenerator generator = new PaymentsGenerator(PaymentsDataset.of(2026, 5_000));
    CRC32 crc = new CRC32();
    generator.transactions().forEach(t -> crc.update(t.toString().getBytes(StandardCharsets.UTF_8)));
    generator.userProfiles().forEach(u -> crc.update(u.toString().getBytes(StandardCharsets.UTF_8)));
    generator.merchantProfiles().forEach(m -> crc.update(m.toString().getBytes(StandardCharsets.UTF_8)));

    assertThat(Long.toHexString(crc.getValue())).isEqualTo("9fbac13f");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 2, 7, 999, 12_345})
  void producesExactlyTheRequestedRowCount(long rows) {
    PaymentsGenerator generator = new PaymentsGenerator(PaymentsDataset.of(1, rows));

    assertThat(generator.transactions().count()).isEqualTo(rows);
    assertThat(generator.transactions().spliterator().getExactSizeIfKnown()).isEqualTo(rows);
  }

  @Test
  void derivesUsersAndMerchantsFromTheSize() {
    assertThat(PaymentsDataset.of(1, 1_000)).extracting("users", "merchants").containsExactly(100L, 20L);
    assertThat(PaymentsDataset.of(1, 10_000_000))
        .extracting("users", "merchants", "start", "days")
        .containsExactly(200_000L, 20_000L, Instant.parse("2026-01-01T00:00:00Z"), 90);
  }

  @Test
  void keysStayInRangeAndEveryUserAndMerchantHasProfiles() {
    PaymentsGenerator generator = new PaymentsGenerator(SMALL);
    List<UserProfile> users = generator.userProfiles().toList();
    List<MerchantProfile> merchants = generator.merchantProfiles().toList();
    Instant start = SMALL.start();

    assertThat(generator.transactions())
        .allSatisfy(
            t -> {
              assertThat(t.userId()).isBetween(1L, SMALL.users());
              assertThat(t.merchantId()).isBetween(1L, SMALL.merchants());
            });
    Map<Long, List<UserProfile>> byUser = users.stream().collect(Collectors.groupingBy(UserProfile::userId));
    assertThat(byUser).hasSize((int) SMALL.users());
    assertThat(byUser.values())
        .allSatisfy(
            rows -> {
              assertThat(rows).hasSizeBetween(2, 5);
              assertThat(rows.get(0).updatedAt()).isBefore(start);
              assertThat(rows.get(0).signupTs()).isBefore(rows.get(0).updatedAt());
              assertThat(rows.subList(1, rows.size()))
                  .allSatisfy(r -> assertThat(r.updatedAt()).isBetween(start, SMALL.end()));
              assertThat(rows).isSortedAccordingTo(Comparator.comparing(UserProfile::updatedAt));
              assertThat(rows).extracting(UserProfile::homeCountry).containsOnly(rows.get(0).homeCountry());
              assertThat(rows).allSatisfy(r -> assertThat(r.creditLimit() % 100).isZero());
            });
    Map<Long, List<MerchantProfile>> byMerchant =
        merchants.stream().collect(Collectors.groupingBy(MerchantProfile::merchantId));
    assertThat(byMerchant).hasSize((int) SMALL.merchants());
    assertThat(byMerchant.values()).allSatisfy(rows -> assertThat(rows).hasSizeBetween(1, 2));
    assertThat(merchants).allSatisfy(m -> assertThat(m.riskScore()).isStrictlyBetween(0.0, 1.0));
  }

  @Test
  void rowsAreSortedByEventTimeWithinTheSpanAtMicrosecondPrecision() {
    PaymentsDataset dataset = PaymentsDataset.of(7, 100_000);

    assertThat(ROWS).isSortedAccordingTo(Comparator.comparing(Transaction::eventTs));
    assertThat(ROWS)
        .allSatisfy(
            t -> {
              assertThat(t.eventTs()).isBetween(dataset.start(), dataset.end());
              assertThat(t.createdTs()).isAfter(t.eventTs());
              assertThat(t.eventTs().getNano() % 1_000).isZero();
              assertThat(t.createdTs().getNano() % 1_000).isZero();
              assertThat(t.amount()).isPositive();
            });
  }

  @Test
  void followsADailyCurve() {
    long[] perHour = new long[24];
    ROWS.forEach(t -> perHour[t.eventTs().atZone(java.time.ZoneOffset.UTC).getHour()]++);

    // the 19:00 peak is several times busier than 03:00
    assertThat(perHour[19]).isGreaterThan(5 * perHour[3]);
  }

  @Test
  void aboutOnePercentOfRowsArriveLate() {
    long late =
        ROWS.stream()
            .filter(t -> Duration.between(t.eventTs(), t.createdTs()).compareTo(Duration.ofHours(1)) >= 0)
            .count();
    long veryLate =
        ROWS.stream()
            .filter(t -> Duration.between(t.eventTs(), t.createdTs()).compareTo(Duration.ofDays(1)) >= 0)
            .count();

    // 1% late rows, plus corrections made more than an hour later
    assertThat(late).isBetween(800L, 1_800L);
    assertThat(veryLate).isPositive();
  }

  @Test
  void aboutHalfAPercentOfRowsAreCorrectionsThatWinPointInTime() {
    Map<Long, List<Transaction>> byTxn = new HashMap<>();
    ROWS.forEach(t -> byTxn.computeIfAbsent(t.txnId(), k -> new ArrayList<>()).add(t));
    List<List<Transaction>> corrected = byTxn.values().stream().filter(rows -> rows.size() > 1).toList();

    assertThat(corrected).hasSizeBetween(300, 700);
    assertThat(corrected)
        .allSatisfy(
            rows -> {
              assertThat(rows).hasSize(2);
              Transaction original = rows.get(0);
              Transaction correction = rows.get(1);
              assertThat(correction)
                  .usingRecursiveComparison()
                  .ignoringFields("amount", "createdTs")
                  .isEqualTo(original);
              assertThat(correction.amount()).isNotEqualTo(original.amount());
              assertThat(correction.createdTs()).isAfter(original.createdTs());
              // point in time picks the greatest (event_ts, created_ts): the correction
              assertThat(latest(rows)).isEqualTo(correction);
            });
  }

  @Test
  void someUsersHaveExactEventTimeTiesOrderedByCreatedTime() {
    Map<String, List<Transaction>> byUserAndTime =
        ROWS.stream().collect(Collectors.groupingBy(t -> t.userId() + "@" + t.eventTs()));
    List<List<Transaction>> ties =
        byUserAndTime.values().stream()
            .filter(rows -> rows.stream().map(Transaction::txnId).distinct().count() > 1)
            .toList();

    assertThat(ties).hasSizeBetween(200, 600);
    assertThat(ties.stream().map(rows -> rows.get(0).userId()).distinct().count()).isGreaterThan(50);
    // (user_id, event_ts, created_ts) is unique, so point-in-time answers are deterministic
    Set<String> keys = new HashSet<>();
    assertThat(ROWS).allSatisfy(t -> assertThat(keys.add(t.userId() + "@" + t.eventTs() + "@" + t.createdTs())).isTrue());
  }

  @Test
  void aFewUsersAreHeavy() {
    Map<Long, Long> perUser = ROWS.stream().collect(Collectors.groupingBy(Transaction::userId, Collectors.counting()));
    long top = perUser.values().stream().max(Long::compare).orElseThrow();
    double mean = ROWS.size() / (double) perUser.size();

    assertThat(top).isGreaterThan((long) (20 * mean));
    assertThat(perUser.size()).isGreaterThan(1_900); // nearly all 2,000 users appear
  }

  @Test
  void usesTheDocumentedVocabulary() {
    assertThat(ROWS.stream().map(Transaction::channel).distinct()).containsExactlyInAnyOrder("online", "pos", "atm");
    assertThat(ROWS.stream().map(Transaction::currency).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("USD", "EUR", "GBP", "CAD", "BRL", "INR", "JPY");
    assertThat(ROWS.stream().map(Transaction::country).collect(Collectors.toSet()))
        .containsExactlyInAnyOrder("US", "GB", "DE", "FR", "ES", "NL", "CA", "BR", "IN", "JP");
    double fraudRate = ROWS.stream().filter(Transaction::isFraud).count() / (double) ROWS.size();
    assertThat(fraudRate).isBetween(0.005, 0.02);
  }

  @Test
  void honoursAnotherTimeSpan() {
    Instant start = Instant.parse("2025-06-01T12:34:56.123456789Z");
    PaymentsDataset dataset = PaymentsDataset.of(3, 5_000, start, 7);

    assertThat(dataset.start()).isEqualTo(start.truncatedTo(ChronoUnit.MICROS));
    assertThat(new PaymentsGenerator(dataset).transactions())
        .allSatisfy(t -> assertThat(t.eventTs()).isBetween(dataset.start(), dataset.end()));
  }

  @Test
  void rejectsImpossibleDatasets() {
    Instant start = PaymentsDataset.DEFAULT_START;
    assertThatThrownBy(() -> PaymentsDataset.of(1, -1)).isInstanceOf(QuiverException.class).hasMessageContaining("0 or more");
    assertThatThrownBy(() -> new PaymentsDataset(1, 10, 0, 10, start, 90)).isInstanceOf(QuiverException.class).hasMessageContaining("users");
    assertThatThrownBy(() -> new PaymentsDataset(1, 10, 10, 0, start, 90)).isInstanceOf(QuiverException.class).hasMessageContaining("merchants");
    assertThatThrownBy(() -> new PaymentsDataset(1, 10, 10, 10, start, 0)).isInstanceOf(QuiverException.class).hasMessageContaining("days");
  }

  private static Transaction latest(List<Transaction> rows) {
    return rows.stream()
        .max(Comparator.comparing(Transaction::eventTs).thenComparing(Transaction::createdTs))
        .orElseThrow();
  }
}
