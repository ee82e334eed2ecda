package dev.quiver.core.registry;

import dev.quiver.core.QuiverException;
import dev.quiver.core.RegistryConflictException;
import dev.quiver.core.model.Definitions;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.LongFunction;

/**
 * What every {@link RegistryStore#commit} records and how every store refuses when it loses: the
 * version after the planned-against head, its {@link VersionInfo} and its canonical bytes ({@link
 * RegistryCodec#encode}), and the {@link RegistryConflictException}s that tell the loser to plan
 * again. A store only publishes {@link #bytes()} atomically, once, and reports the outcome:
 *
 * <pre>{@code
 * CommitAttempt attempt = CommitAttempt.of(expectedHead, definitions, author, message, time);
 * if (!publishedOnce(attempt.version(), attempt.bytes())) {
 *   throw attempt.lost(this::info);
 * }
 * return attempt.info();
 * }</pre>
 *
 * Immutable; {@link #bytes()} is shared, not copied, and must not be changed.
 */
public final class CommitAttempt {
  private final VersionInfo info;
  private final byte[] bytes;

  private CommitAttempt(VersionInfo info, byte[] bytes) {
    this.info = info;
    this.bytes = bytes;
  }

  /**
   * The version after {@code expectedHead}, holding {@code definitions}.
   *
   * @throws IllegalArgumentException when {@code expectedHead} is negative
   */
  public static CommitAttempt of(
      long expectedHead, Definitions definitions, String author, String message, Instant time) {
    Objects.requireNonNull(definitions, "definitions");
    if (expectedHead < 0) {
      throw new IllegalArgumentException("expectedHead must be 0 or more: " + expectedHead);
    }
    long version = Math.addExact(expectedHead, 1);
    VersionInfo info =
        new VersionInfo(version, expectedHead, author, time, message, RegistryCodec.contentHash(definitions));
    return new CommitAttempt(info, RegistryCodec.encode(new RegistrySnapshot(info, definitions)));
  }

  /** The version to record: {@link #expectedHead()} + 1. */
  public long version() {
    return info.version();
  }

  /** The head it was planned against. */
  public long expectedHead() {
    return info.parent();
  }

  /** The audit record of the version, which {@link RegistryStore#commit} returns once it is recorded. */
  public VersionInfo info() {
    return info;
  }

  /** The canonical bytes of the version to publish: {@link RegistryCodec#encode} of it. */
  public byte[] bytes() {
    return bytes;
  }

  /**
   * The refusal when another writer recorded {@link #version()} first, naming who and when.
   *
   * @param read reads a recorded version's info; when it fails the message only says "someone else"
   */
  public RegistryConflictException lost(LongFunction<VersionInfo> read) {
    String who;
    try {
      VersionInfo winner = read.apply(version());
      who = " was applied by " + winner.author() + " at " + winner.appliedAt();
    } catch (QuiverException unreadable) {
      who = " was applied by someone else";
    }
    return new RegistryConflictException(
        "registry version " + version() + who + " while you planned against " + expectedHead() + "; run plan again");
  }

  /**
   * The refusal when the registry is behind the head it was planned against (version {@link
   * #expectedHead()} does not exist).
   *
   * @param where the registry, as its messages name it
   * @param newest its newest version, empty when it has none
   */
  public RegistryConflictException behind(String where, OptionalLong newest) {
    return new RegistryConflictException("you planned against registry version " + expectedHead()
        + " but the registry at " + where
        + (newest.isPresent() ? " is at version " + newest.getAsLong() : " is empty") + "; run plan again");
  }
}
