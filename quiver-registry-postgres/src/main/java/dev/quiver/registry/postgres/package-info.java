/**
 * A registry store in PostgreSQL, shared by many machines: {@code registry.type: postgres}, opened
 * through {@link dev.quiver.registry.postgres.PostgresRegistryProvider}.
 *
 * <p>Tables, in the configured schema (default {@code quiver}): {@code versions} (one row per
 * registry version, its {@link dev.quiver.core.registry.RegistryCodec} bytes exactly as the file
 * registry stores them), {@code datasets}, {@code watermarks}, {@code api_tokens} (hashes only) and
 * {@code audit_log} (append-only, enforced by a trigger). The schema is versioned with Flyway
 * migrations ({@code dev/quiver/registry/postgres/migrations/V<N>__*.sql}), applied on open under
 * Flyway's lock, so machines opening at once do not race.
 *
 * <p>A commit is one conditional {@code INSERT ... ON CONFLICT DO NOTHING} on the version's primary
 * key: of concurrent writers planning against the same head exactly one wins; the others are told
 * to plan again. Servers notice a new version at their next registry poll (every second), which
 * costs one indexed {@code SELECT max(version)} and a watermark listing.
 */
package dev.quiver.registry.postgres;
