package dev.quiver.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@link FeatureRef#parse} accepts, and that nothing it is given makes it throw. */
class FeatureRefTest {
  @ParameterizedTest
  @CsvSource({
      "user_txn:amount, user_txn, 0, amount",
      "user_txn@v2:amount, user_txn, 2, amount",
      "user_txn@7:amount, user_txn, 7, amount",
      "user_txn@v999999999:amount, user_txn, 999999999, amount",
      "' user_txn:* ', user_txn, 0, *"})
  void parsesRefs(String text, String view, int version, String feature) {
    assertThat(FeatureRef.parse(text)).contains(new FeatureRef(view, version, feature));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", ":", "a:b:c", "user_txn", ":amount", "user_txn:", "user_txn@v:amount", "user_txn@v0:amount",
      "user_txn@v02:amount", "user_txn@v2147483648:amount", "user_txn@v99999999999999999999:amount",
      "user_txn@v1000000000:amount", "1user:amount", "user txn:amount", "üser:amount"})
  void rejectsEverythingElseWithoutThrowing(String text) {
    assertThat(FeatureRef.parse(text)).isEmpty();
  }
}
