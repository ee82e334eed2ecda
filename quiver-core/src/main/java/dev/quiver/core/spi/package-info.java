/**
 * Plug-in interfaces implemented outside core (engines, stores) and discovered with {@link
 * java.util.ServiceLoader}, each with one contract test suite in {@code quiver-testkit}; {@link
 * dev.quiver.core.spi.Transform}, the custom transforms a derived feature names by class; and {@link
 * dev.quiver.core.spi.SourceFiles}, the one expansion of source paths and globs into files that every
 * engine and the saved datasets' fingerprints share; and {@link dev.quiver.core.spi.SourceAppend}, the
 * naming and atomic publishing of the files that offline pushes add to a source, for every engine that appends.
 */
package dev.quiver.core.spi;
