package dev.quiver.bench.serve;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A feature server ({@link ServerMain}) in a JVM of its own, started with the {@code quiver} command's
 * JVM options, optionally pinned to some CPUs ({@code taskset -c}, with {@code -XX:ActiveProcessorCount} of the
 * machine so that its collector and thread pools stay those of an unpinned server); stops gracefully on {@link #close}.
 * The server of {@link ServeBenchmark} and {@link SecurityBenchmark}, and the two that {@link LoggingPairBenchmark}
 * keeps running at once.
 */
final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final int grpcPort;
  private final long pid;
  private final String settings;

  private ServerProcess(Process process, int port, int grpcPort, long pid, String settings) {
    this.process = process;
    this.port = port;
    this.grpcPort = grpcPort;
    this.pid = pid;
    this.settings = settings;
  }

  /**
   * Starts a server on {@code repo}; its standard error goes to {@code repo/server.log}.
   *
   * @param cpus a {@code taskset -c} CPU list to pin the JVM to, or null for none
   * @param machineCpus the machine's CPU count, which a pinned JVM is told it has
   * @param javaOptions extra JVM options (e.g. a GC log), or null
   */
  static ServerProcess start(Path repo, String cpus, int machineCpus, String javaOptions) throws IOException {
    return start(repo, cpus, machineCpus, javaOptions, List.of());
  }

  /**
   * {@link #start(Path, String, int, String)} with {@code serverArgs} after the repo ({@link ServerMain}'s options:
   * {@code --grpc on}, {@code --latency-target 5}, ...).
   */
  static ServerProcess start(Path repo, String cpus, int machineCpus, String javaOptions, List<String> serverArgs)
      throws IOException {
    List<String> command = new ArrayList<>();
    if (cpus != null) {
      command.addAll(List.of("taskset", "-c", cpus));
    }
    command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "--enable-native-access=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED"));
    if (cpus != null) {
      // pinned to fewer CPUs, the JVM would size itself for them (one CPU: the serial collector, fewer threads);
      // it keeps the configuration it has unpinned, so that only where its threads run changes
      command.add("-XX:ActiveProcessorCount=" + machineCpus);
    }
    if (javaOptions != null) {
      command.addAll(List.of(javaOptions.trim().split("\\s+")));
    }
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), ServerMain.class.getName(), repo.toString()));
    command.addAll(serverArgs);
    Path log = repo.resolve("server.log");
    Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
    try {
      BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      int port = Integer.parseInt(ServeBenchmark.field(stdout, "port", log));
      long pid = Long.parseLong(ServeBenchmark.field(stdout, "pid", log));
      String line = stdout.readLine();
      int grpcPort = -1;
      if (line != null && line.startsWith("grpc ")) {
        grpcPort = Integer.parseInt(line.substring(5).trim());
        line = stdout.readLine();
      }
      return new ServerProcess(p, port, grpcPort, pid, line == null ? "" : line);
    } catch (RuntimeException | IOException e) {
      p.destroyForcibly();
      throw e;
    }
  }

  /**
   * Pins every thread of process {@code pid} (and the threads it starts later) to {@code cpus} ({@code taskset -a -p
   * -c}): the load generator's own JVM, or a helper process such as redis-server.
   */
  static void pin(long pid, String cpus) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid)).redirectErrorStream(true).start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("taskset could not pin process " + pid + " to CPUs " + cpus + ": " + said);
    }
  }

  int port() {
    return port;
  }

  /** The gRPC port, or -1 when the server was started without {@code --grpc on}. */
  int grpcPort() {
    return grpcPort;
  }

  long pid() {
    return pid;
  }

  /** The server's settings as it printed them at start ({@code threads io ..., workers ...}). */
  String settings() {
    return settings;
  }

  /** CPU seconds of the server's JVM so far. */
  double cpuSeconds() {
    return ServeBenchmark.cpuSeconds(pid);
  }

  /**
   * The value of the {@code /metrics} lines of {@code prefix}, summed over their labels: 0 when there is none (a
   * counter is registered at its first increment), NaN when the server does not answer.
   */
  double metric(String prefix) {
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      String body = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return body.lines().filter(l -> l.startsWith(prefix + " ") || l.startsWith(prefix + "{"))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  /** Closes the server's standard input (a graceful stop) and waits up to a minute, then kills it. */
  @Override
  public void close() throws InterruptedException, IOException {
    process.getOutputStream().close();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
