package dev.quiver.core.derived;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.spi.Transform;
import java.util.List;

/** Custom transforms for tests, named in definitions as {@code dev.quiver.core.derived.TestTransforms$Name}. */
public final class TestTransforms {
  private TestTransforms() {}

  /** {@code a + 0.5 * b} over two numbers; null when either is null. */
  public static final class WeightedSum implements Transform {
    @Override
    public ValueType resultType(List<ValueType> types) {
      if (types.size() != 2 || !types.stream().allMatch(ValueType::isNumeric)) {
        throw new IllegalArgumentException("it takes two numbers, e.g. args: [request.amount, user_txn.last_amount]");
      }
      return ScalarType.FLOAT64;
    }

    @Override
    public Object apply(Object[] args) {
      if (args[0] == null || args[1] == null) {
        return null;
      }
      return ((Number) args[0]).doubleValue() + 0.5 * ((Number) args[1]).doubleValue();
    }
  }

  /** Says it gives int64 but returns a string. */
  public static final class WrongClass implements Transform {
    @Override
    public ValueType resultType(List<ValueType> types) {
      return ScalarType.INT64;
    }

    @Override
    public Object apply(Object[] args) {
      return "seven";
    }
  }

  /** Not a transform at all. */
  public static final class NotATransform {}

  /** A transform without a public no-argument constructor. */
  public static final class NeedsArgument implements Transform {
    public NeedsArgument(String config) {}

    @Override
    public ValueType resultType(List<ValueType> types) {
      return ScalarType.INT64;
    }

    @Override
    public Object apply(Object[] args) {
      return 1L;
    }
  }
}
