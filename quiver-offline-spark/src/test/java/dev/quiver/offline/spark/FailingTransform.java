package dev.quiver.offline.spark;

import dev.quiver.core.model.ScalarType;
import dev.quiver.core.model.ValueType;
import java.util.List;

/**
 * A custom transform that fails every row once {@link #armed} (same JVM: Spark local mode), so a test
 * can make the executors' tasks of a training set fail after the plan was made; otherwise it returns
 * its argument.
 */
public final class FailingTransform implements dev.quiver.core.spi.Transform {
  static volatile boolean armed;

  @Override
  public ValueType resultType(List<ValueType> argumentTypes) {
    return ScalarType.FLOAT64;
  }

  @Override
  public Object apply(Object[] arguments) {
    if (armed) {
      throw new IllegalStateException("executor lost (FailingTransform armed)");
    }
    return arguments[0] == null ? null : ((Number) arguments[0]).doubleValue();
  }
}
