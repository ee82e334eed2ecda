/**
 * Plug-in interfaces implemented outside core (engines, stores) and discovered with {@link
 * java.util.ServiceLoader}, each with one contract test suite in {@code quiver-testkit}; and {@link
 * dev.quiver.core.spi.Transform}, the custom transforms a derived feature names by class.
 */
package dev.quiver.core.spi;
