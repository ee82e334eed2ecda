package dev.quiver.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionedNameTest {
  @ParameterizedTest
  @CsvSource({"fraud_model, fraud_model, 0", "fraud_model@v2, fraud_model, 2", "' fraud_model@3 ', fraud_model, 3",
      "m@v999999999, m, 999999999"})
  void parsesNamesWithAndWithoutVersions(String text, String name, int version) {
    assertThat(VersionedName.parse(text)).contains(new VersionedName(name, version));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "fraud_model@", "fraud_model@v", "fraud_model@vabc", "fraud_model@v0", "fraud_model@v-1",
      "fraud_model@v99999999999", "fraud_model@v1000000000", "1model", "a b", "a:b"})
  void rejectsEverythingElseWithoutThrowing(String text) {
    assertThat(VersionedName.parse(text)).isEmpty();
  }
}
