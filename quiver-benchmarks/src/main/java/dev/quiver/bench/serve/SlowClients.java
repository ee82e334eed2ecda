package dev.quiver.bench.serve;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Slow-loris clients: {@code count} connections that each send a request's headers one byte a second
 * and never finish; a connection the server closes is opened again at once (as an attacker would).
 * One thread writes to them all. {@link #close} stops and closes them.
 */
final class SlowClients implements AutoCloseable {
  private static final byte[] HEAD = ("POST /get-online-features HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      + "X-Padding: " + "a".repeat(4000)).getBytes(StandardCharsets.US_ASCII);

  private final int port;
  private final List<Socket> sockets = new ArrayList<>();
  private final List<Integer> positions = new ArrayList<>();
  private final Thread writer;
  private final AtomicLong reopened = new AtomicLong();
  private final AtomicLong refusedOpens = new AtomicLong();
  private volatile boolean stop;

  SlowClients(int port, int count) throws IOException {
    this.port = port;
    for (int i = 0; i < count; i++) {
      sockets.add(open());
      positions.add(0);
    }
    writer = Thread.ofPlatform().daemon().name("slow-loris").start(this::drip);
  }

  private Socket open() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return s;
  }

  private void drip() {
    while (!stop) {
      long start = System.nanoTime();
      for (int i = 0; i < sockets.size() && !stop; i++) {
        try {
          OutputStream out = sockets.get(i).getOutputStream();
          int at = positions.get(i) % HEAD.length;
          out.write(HEAD[at]);
          out.flush();
          positions.set(i, at + 1);
        } catch (IOException closedByServer) {
          reopen(i);
        }
      }
      long left = 1_000_000_000L - (System.nanoTime() - start);
      if (left > 0) {
        java.util.concurrent.locks.LockSupport.parkNanos(left);
      }
    }
  }

  private void reopen(int i) {
    try {
      sockets.get(i).close();
    } catch (IOException ignored) {
      // already closed by the server
    }
    try {
      sockets.set(i, open());
      positions.set(i, 0);
      reopened.incrementAndGet();
    } catch (IOException e) {
      refusedOpens.incrementAndGet();
    }
  }

  /** Connections found closed by the server and opened again. */
  long reopened() {
    return reopened.get();
  }

  /** Reconnections that failed. */
  long refusedOpens() {
    return refusedOpens.get();
  }

  @Override
  public void close() throws InterruptedException {
    stop = true;
    writer.join(5_000);
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
