package dev.quiver.core.derived;

import dev.quiver.core.QuiverException;
import dev.quiver.core.spi.Transform;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/** Loads the custom transform a derived feature names: once per registry version, never per row. */
public final class Transforms {
  private Transforms() {}

  /**
   * A new instance of the named class.
   *
   * @throws QuiverException saying what is wrong: no such class on the classpath, not a {@link
   *     Transform}, no public no-argument constructor, or the constructor failed
   */
  public static Transform load(String className) {
    Class<?> c;
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      c = Class.forName(className, true, loader != null ? loader : Transforms.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      throw new QuiverException("transform class '" + className + "' is not on the classpath"
          + (e instanceof LinkageError ? " (" + e + ")" : "") + "; add its jar, or check the spelling (a fully qualified name, e.g. com.acme.RiskScore)");
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
