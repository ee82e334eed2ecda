/**
 * A feature repo opened for work: its configuration, its registry store and its source schemas,
 * wired through {@link java.util.ServiceLoader}, with the plan and apply operations the CLI and the
 * Java API share.
 */
package dev.quiver.core.repo;
