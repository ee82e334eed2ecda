package dev.quiver.core.derived;

import dev.quiver.core.QuiverException;
import dev.quiver.core.spi.Transform;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/** Loads the custom transform a derived feature names: once per registry version, never per row. */
public final class Transforms {
  private Transforms() {}

  /** The loader used when none is given: the thread's context class loader, else Quiver's own. */
  public static ClassLoader defaultLoader() {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return loader != null ? loader : Transforms.class.getClassLoader();
  }

  /** {@link #load(String, ClassLoader)} with the {@link #defaultLoader()}. */
  public static Transform load(String className) {
    return load(className, defaultLoader());
  }

  /**
   * A new instance of the named class, loaded with {@code loader} (see {@link
   * dev.quiver.core.load.TransformClasspath}).
   *
   * @throws QuiverException saying what is wrong: no such class on the classpath, not a {@link
   *     Transform}, no public no-argument constructor, or the constructor failed
   */
  public static Transform load(String className, ClassLoader loader) {
    Class<?> c;
    try {
      c = Class.forName(className, true, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      throw new QuiverException("transform class '" + className + "' is not on the classpath"
          + (e instanceof LinkageError ? " (" + e + ")" : "") + "; add its jar to 'classpath:' in quiver.yaml or to $QUIVER_CLASSPATH,"
          + " or check the spelling (a fully qualified name, e.g. com.acme.RiskScore)");
    }
    if (!Transform.class.isAssignableFrom(c)) {
      throw new QuiverException("class '" + className + "' does not implement " + Transform.class.getName()
          + "; a transform implements resultType(argumentTypes) and apply(arguments)");
    }
    if (!Modifier.isPublic(c.getModifiers()) || Modifier.isAbstract(c.getModifiers())) {
      throw new QuiverException("transform class '" + className + "' must be public and not abstract");
    }
    try {
      Constructor<?> constructor = c.getConstructor();
      return (Transform) constructor.newInstance();
    } catch (NoSuchMethodException e) {
      throw new QuiverException("transform class '" + className + "' needs a public constructor without arguments");
    } catch (InvocationTargetException e) {
      throw new QuiverException("transform class '" + className + "' failed to construct: " + e.getCause(), e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new QuiverException("transform class '" + className + "' cannot be instantiated: " + e);
    }
  }
}
