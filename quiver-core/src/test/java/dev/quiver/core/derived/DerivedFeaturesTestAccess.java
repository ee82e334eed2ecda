package dev.quiver.core.derived;

/** The test definitions of {@link DerivedFeaturesTest}, for tests in other packages. */
public final class DerivedFeaturesTestAccess {
  private DerivedFeaturesTestAccess() {}

  public static final String DEFS = DerivedFeaturesTest.DEFS;
}
