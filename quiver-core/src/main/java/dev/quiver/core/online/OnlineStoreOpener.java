package dev.quiver.core.online;

import java.io.Serializable;

/**
 * Opens the repo's online store wherever it is called: in this process, or in an offline engine's
 * worker process (a Spark executor) that writes materialized rows itself ({@link
 * dev.quiver.core.offline.LatestRowsWriter}). Serializable, so it travels to the workers; each
 * worker opens its own connection. Implementations carry how to reach the store, and should carry
 * secrets as references resolved where the store is opened rather than as values.
 */
public interface OnlineStoreOpener extends Serializable {
  /**
   * The store; the caller closes it (which may leave a store this process shares open).
   *
   * @throws dev.quiver.core.QuiverException when the store cannot be opened, naming why
   */
  OnlineStore open();

  /** The store for people, without secrets: {@code redis (url redis://h:6379)}. */
  String describe();

  /**
   * True when processes other than the one that made this opener can open the store (a network
   * store such as Redis); false for an embedded one (RocksDB), which only that process can use.
   */
  boolean shared();
}
