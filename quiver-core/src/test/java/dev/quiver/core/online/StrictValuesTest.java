package dev.quiver.core.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.InvalidRequestException;
import dev.quiver.core.model.JoinKey;
import dev.quiver.core.model.ScalarType;
import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one strict parser of keys and request values: what an int64 key is and what it is not. */
class StrictValuesTest {
  private static final JoinKey USER = new JoinKey("user_id", ScalarType.INT64);
  private static final JoinKey SHOP = new JoinKey("shop_id", ScalarType.INT32);

  @ParameterizedTest
  @ValueSource(strings = {"01", " 1", "1 ", "+1", "1.5", "1e0", "1E0", "1.0", "0x1", "-0", "", "one", "9223372036854775808"})
  void textThatIsNotExactlyAnIntegerIsRefusedNamingColumnValueAndType(String text) {
    assertThatThrownBy(() -> EntityValues.coerce(USER, text))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("entity column 'user_id' holds int64 keys, but got '" + text + "' (a string)")
        .hasMessageContaining("expected an exact integer in int64's range");
  }

  @Test
  void numbersWithAFractionOrAnExponentAndBooleansAreNotIntegerKeys() {
    // JSON 1.5, 1e0 and 1.0 all decode to floating point; none is an int64 key
    for (Object v : List.of(1.5, 1.0, 1e0, 1.0f, true, new java.math.BigDecimal("1"))) {
      assertThatThrownBy(() -> EntityValues.coerce(USER, v)).as(String.valueOf(v))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("entity column 'user_id' holds int64 keys, but got " + StrictValues.describe(v));
    }
    assertThat(StrictValues.describe(true)).isEqualTo("true (a boolean)");
    assertThat(StrictValues.describe(1.0)).isEqualTo("1.0 (a floating-point number)");
  }

  @Test
  void exactIntegersAndTheirPlainDecimalTextAreKeys() {
    assertThat(EntityValues.coerce(USER, 1)).isEqualTo(1L);
    assertThat(EntityValues.coerce(USER, 1L)).isEqualTo(1L);
    assertThat(EntityValues.coerce(USER, (short) 1)).isEqualTo(1L);
    assertThat(EntityValues.coerce(USER, BigInteger.valueOf(-7))).isEqualTo(-7L);
    assertThat(EntityValues.coerce(USER, "1")).isEqualTo(1L);
    assertThat(EntityValues.coerce(USER, "-7")).isEqualTo(-7L);
    assertThat(EntityValues.coerce(USER, "0")).isEqualTo(0L);
    assertThat(EntityValues.coerce(USER, "9223372036854775807")).isEqualTo(Long.MAX_VALUE);
    assertThat(EntityValues.coerce(USER, null)).isNull();
    assertThatThrownBy(() -> EntityValues.coerce(USER, BigInteger.ONE.shiftLeft(63))).isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void int32KeysAreIntegersInRangeAndEncodeLikeInt64Ones() {
    assertThat(EntityValues.coerce(SHOP, 5L)).isEqualTo(5);
    assertThat(EntityValues.coerce(SHOP, "5")).isEqualTo(5);
    assertThatThrownBy(() -> EntityValues.coerce(SHOP, 3_000_000_000L))
        .hasMessageContaining("holds int32 keys, but got 3000000000 (an integer)");
    assertThat(KeyEncoding.encode(List.of(ScalarType.INT32), List.of(EntityValues.coerce(SHOP, "5"))))
        .isEqualTo(KeyEncoding.encode(List.of(ScalarType.INT64), List.of(EntityValues.coerce(USER, 5))));
  }

  @Test
  void otherKeyTypes() {
    JoinKey bytes = new JoinKey("k", ScalarType.BYTES);
    assertThat((byte[]) EntityValues.coerce(bytes, "AQI=")).containsExactly(1, 2);
    assertThatThrownBy(() -> EntityValues.coerce(bytes, "not base64!")).hasMessageContaining("expected base64 text");
    JoinKey text = new JoinKey("k", ScalarType.STRING);
    assertThat(EntityValues.coerce(text, " a ")).isEqualTo(" a ");
    assertThatThrownBy(() -> EntityValues.coerce(text, 1L)).hasMessageContaining("holds string keys, but got 1 (an integer)");
    JoinKey flag = new JoinKey("k", ScalarType.BOOL);
    assertThat(EntityValues.coerce(flag, "true")).isEqualTo(true);
    assertThatThrownBy(() -> EntityValues.coerce(flag, 1L)).hasMessageContaining("expected true or false");
    assertThatThrownBy(() -> EntityValues.coerce(flag, "yes")).hasMessageContaining("expected true or false");
    JoinKey time = new JoinKey("k", ScalarType.TIMESTAMP);
    assertThat(EntityValues.coerce(time, "2026-03-01T12:00:00Z")).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
    assertThat(EntityValues.coerce(time, "2026-03-01 12:00:00")).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
    assertThatThrownBy(() -> EntityValues.coerce(time, " 2026-03-01")).hasMessageContaining("expected an ISO-8601 time");
    assertThatThrownBy(() -> EntityValues.coerce(time, "+10000-01-01T00:00:00Z")).hasMessageContaining("years 0001 to 9999");
    JoinKey real = new JoinKey("k", ScalarType.FLOAT32);
    assertThat(EntityValues.coerce(real, 0.1)).isEqualTo(0.1f);
    assertThat(EntityValues.coerce(real, "2.5")).isEqualTo(2.5f);
    assertThatThrownBy(() -> EntityValues.coerce(real, " 2.5")).hasMessageContaining("holds float32 keys");
  }

  @Test
  void numbersBeyondAFloatTypesRangeAreRefusedNotReadAsInfinity() {
    for (String text : List.of("1e400", "-1e400", "1E309")) {
      assertThatThrownBy(() -> StrictValues.parse(dev.quiver.core.model.ScalarType.FLOAT64, text)).as(text)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("within float64's range")
          .hasMessageContaining(text + " is out of it");
    }
    assertThatThrownBy(() -> StrictValues.parse(dev.quiver.core.model.ScalarType.FLOAT32, "1e39"))
        .hasMessageContaining("within float32's range");
    assertThatThrownBy(() -> StrictValues.parse(dev.quiver.core.model.ScalarType.FLOAT32, 1e39))
        .hasMessageContaining("within float32's range");
    assertThatThrownBy(() -> StrictValues.parse(dev.quiver.core.model.ScalarType.FLOAT64, new java.math.BigDecimal("1e400")))
        .hasMessageContaining("within float64's range");
    // infinity said explicitly still is infinity
    assertThat(StrictValues.parse(dev.quiver.core.model.ScalarType.FLOAT64, "Infinity")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(StrictValues.parse(dev.quiver.core.model.ScalarType.FLOAT64, Double.NEGATIVE_INFINITY))
        .isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(StrictValues.parse(dev.quiver.core.model.ScalarType.FLOAT64, "1e308")).isEqualTo(1e308);
    assertThat(StrictValues.parse(dev.quiver.core.model.ScalarType.FLOAT32, "3e38")).isEqualTo(3e38f);
  }
}
