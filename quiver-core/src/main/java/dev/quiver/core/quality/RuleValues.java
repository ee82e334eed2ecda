package dev.quiver.core.quality;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Values as validation rules compare them: {@code allowed} values parsed in a feature's type, and
 * numbers made exact for {@code min}/{@code max}. Shared by the definition validator and {@link
 * ViewRules}, so a value the validator accepts is the one the checks compare with.
 */
public final class RuleValues {
  private RuleValues() {}

  /** The feature types {@code allowed} supports: integers, floats, bool and string. */
  public static boolean allowedSupports(ValueType type) {
    return type instanceof ScalarType s && (s.isNumeric() || s == ScalarType.BOOL || s == ScalarType.STRING);
  }

  /**
   * An allowed value written in YAML, as {@link #canonical} gives values of {@code type}: an exact
   * integer ({@code 1}, not {@code 1.0} or {@code 01}) for int32/int64, a number for floats, {@code
   * true}/{@code false} for bool, the text for string; empty when it is none or the type is unsupported.
   */
  public static Optional<Object> allowed(ValueType type, String text) {
    if (!(type instanceof ScalarType s) || text == null) {
      return Optional.empty();
    }
    String t = text.strip();
    try {
      return switch (s) {
        case INT32, INT64 -> t.matches("-?(0|[1-9][0-9]*)") ? Optional.of((Object) Long.parseLong(t)) : Optional.empty();
        case FLOAT32 -> Optional.of((Object) (double) Float.parseFloat(t));
        case FLOAT64 -> Optional.of((Object) Double.parseDouble(t));
        case BOOL -> t.equalsIgnoreCase("true") ? Optional.of((Object) Boolean.TRUE)
            : t.equalsIgnoreCase("false") ? Optional.of((Object) Boolean.FALSE) : Optional.empty();
        case STRING -> Optional.of((Object) text);
        default -> Optional.empty();
      };
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** A value of {@code type} as allowed values are kept: integers as Long, floats as Double. */
  static Object canonical(ValueType type, Object value) {
    return switch (value) {
      case Integer i -> (long) i;
      case Short i -> (long) i;
      case Byte i -> (long) i;
      case Float f -> (double) f;
      default -> value;
    };
  }

  /** An exact decimal of a number; empty for NaN and the infinities. */
  static Optional<BigDecimal> exact(Number n) {
    return switch (n) {
      case Long l -> Optional.of(BigDecimal.valueOf(l));
      case Integer i -> Optional.of(BigDecimal.valueOf(i));
      case Short i -> Optional.of(BigDecimal.valueOf(i));
      case Byte i -> Optional.of(BigDecimal.valueOf(i));
      case BigDecimal b -> Optional.of(b);
      case java.math.BigInteger b -> Optional.of(new BigDecimal(b));
      default -> {
        double d = n.doubleValue();
        yield Double.isFinite(d) ? Optional.of(new BigDecimal(d)) : Optional.empty();
      }
    };
  }
}
