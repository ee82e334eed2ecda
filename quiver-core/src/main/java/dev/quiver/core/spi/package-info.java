/**
 * Plug-in interfaces implemented outside core (engines, stores) and discovered with {@link
 * java.util.ServiceLoader}. Each has one contract test suite in {@code quiver-testkit}.
 */
package dev.quiver.core.spi;
