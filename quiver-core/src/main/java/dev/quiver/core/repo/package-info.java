/**
 * A feature repo opened for work: its configuration, its registry store and its source schemas,
 * wired through {@link java.util.ServiceLoader}, with the plan and apply operations the CLI and the
 * Java API share. {@link dev.quiver.core.repo.FeatureRepo} is the public face; package-private parts
 * do the work: the plug-ins opened on first use, the calls in flight that close waits for, the cached
 * registry head and serving versions, the plan step, materializations one at a time, training sets.
 */
package dev.quiver.core.repo;
