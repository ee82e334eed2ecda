package dev.quiver.core.spi;

import dev.quiver.core.model.ValueType;
import java.util.List;

/**
 * A custom transform: Java code computing a derived feature the expression language cannot say. A
 * definition names the class and its argument expressions:
 *
 * <pre>{@code
 * - {name: risk, transform: com.acme.RiskScore, args: [request.amount, user_txn.amount_avg_30d], type: float64}
 * }</pre>
 *
 * <p>The class must be public, have a public no-argument constructor and be on the classpath of
 * every process that applies definitions, serves online or builds training sets. Quiver creates one
 * instance per registry version (at apply, to check it; when serving, once per version) and calls
 * {@link #apply} from many threads at once: implementations must be thread-safe and, so that online
 * equals offline, deterministic (no clock, no randomness, no I/O).
 */
public interface Transform {

  /**
   * The type of the result for arguments of these types, checked once per registry version.
   *
   * @param argumentTypes the argument expressions' types, in order
   * @return the result type; never null
   * @throws IllegalArgumentException when the transform does not take arguments of these types; the
   *     message is shown with the definition's file and line
   */
  ValueType resultType(List<ValueType> argumentTypes);

  /**
   * The value for one row.
   *
   * @param arguments the argument values, in order, each null or of its type's Java class ({@code
   *     Integer}, {@code Long}, {@code Float}, {@code Double}, {@code Boolean}, {@code String},
   *     {@code byte[]}, {@code java.time.Instant}, {@code java.util.List}); the array is the
   *     transform's to read for the duration of the call only
   * @return null or a value of the Java class of {@link #resultType}
   */
  Object apply(Object[] arguments);
}
