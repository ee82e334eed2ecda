package dev.quiver.core.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * The audit record of one applied registry version.
 *
 * @param version 1, 2, 3, ... with no gaps
 * @param parent the version this one was planned against; 0 for the first
 * @param contentHash {@code sha256:} and the hex SHA-256 of the canonical definitions; equal hashes
 *     mean equal definitions
 */
public record VersionInfo(
    long version, long parent, String author, Instant appliedAt, String message, String contentHash) {
  public VersionInfo {
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(appliedAt, "appliedAt");
    message = Objects.requireNonNullElse(message, "");
    Objects.requireNonNull(contentHash, "contentHash");
  }
}
