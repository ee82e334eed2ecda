/**
 * The registry: every applied version of a project's definitions with its audit record, behind the
 * {@link dev.quiver.core.registry.RegistryStore} plug-in interface, and the canonical byte format
 * ({@link dev.quiver.core.registry.RegistryCodec}) every store writes.
 */
package dev.quiver.core.registry;
