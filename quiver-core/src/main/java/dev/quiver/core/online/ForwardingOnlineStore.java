package dev.quiver.core.online;

import java.util.List;
import java.util.Objects;

/**
 * An {@link OnlineStore} that passes every call to another: subclass it and override only what
 * differs (a store lent without its {@link #close()}, a test hook before a read). Thread-safe when
 * the delegate is.
 */
public abstract class ForwardingOnlineStore implements OnlineStore {
  /** The store every call goes to. */
  protected final OnlineStore delegate;

  protected ForwardingOnlineStore(OnlineStore delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public void createTable(String table) {
    delegate.createTable(table);
  }

  @Override
  public void dropTable(String table) {
    delegate.dropTable(table);
  }

  @Override
  public List<byte[]> multiGet(String table, List<byte[]> keys) {
    return delegate.multiGet(table, keys);
  }

  @Override
  public int multiPutIfNewer(String table, List<Entry> entries) {
    return delegate.multiPutIfNewer(table, entries);
  }

  @Override
  public int multiPutIfNotOlder(String table, List<Entry> entries) {
    return delegate.multiPutIfNotOlder(table, entries);
  }

  @Override
  public void multiPut(String table, List<Entry> entries) {
    delegate.multiPut(table, entries);
  }

  @Override
  public boolean[] multiCompareAndSet(String table, List<Swap> swaps) {
    return delegate.multiCompareAndSet(table, swaps);
  }

  @Override
  public VersionedRows readForSwap(String table, List<byte[]> keys) {
    return delegate.readForSwap(table, keys);
  }

  @Override
  public void delete(String table, List<byte[]> keys) {
    delegate.delete(table, keys);
  }

  @Override
  public boolean inProcess() {
    return delegate.inProcess();
  }

  @Override
  public void check() {
    delegate.check();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
