package dev.quiver.cli;

import dev.quiver.core.QuiverException;
import dev.quiver.core.load.DefinitionLoader;
import dev.quiver.datagen.PaymentsDataset;
import dev.quiver.datagen.PaymentsGenerator;
import dev.quiver.datagen.RowCounts;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quiver init DIR}: a working payments feature repo with generated data (by default the 90 days up to now). */
@Command(name = "init", description = "Create a feature repo for a payments domain, with generated Parquet data.")
final class InitCommand implements Callable<Integer> {
  @Parameters(paramLabel = "DIR", description = "The folder to create (must be empty or absent).")
  Path dir;

  @Option(names = "--rows", paramLabel = "N", description = "Card transactions to generate (default ${DEFAULT-VALUE}).", defaultValue = "100000")
  long rows;

  @Option(names = "--seed", paramLabel = "S", description = "Generator seed; the same seed and rows give the same data (default ${DEFAULT-VALUE}).", defaultValue = "42")
  long seed;

  @Option(names = "--start", paramLabel = "DATE",
      description = "First day of the generated data, UTC; the data spans 90 days from it. Default: 90 days before now,"
          + " so that the data ends now and online reads find fresh values.")
  String start;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Instant first = start == null ? defaultStart(Instant.now()) : Times.parse(start);
    create(dir, rows, seed, first, spec.commandLine().getOut(), spec.commandLine().getErr());
    return 0;
  }

  /**
   * The first instant of the data when {@code --start} is not given: {@link PaymentsDataset#DEFAULT_DAYS}
   * days before {@code now} (whole seconds), so that the last event falls just before {@code now}.
   */
  static Instant defaultStart(Instant now) {
    return now.truncatedTo(ChronoUnit.SECONDS).minus(PaymentsDataset.DEFAULT_DAYS, ChronoUnit.DAYS);
  }

  /** Writes the repo; used by {@code init} and {@code demo}. */
  static void create(Path dir, long rows, long seed, Instant start, PrintWriter out, PrintWriter err) {
    if (rows < 0) {
      throw new QuiverException("--rows must be 0 or more");
    }
    try {
      if (Files.exists(dir) && (!Files.isDirectory(dir) || !isEmpty(dir))) {
        throw new QuiverException(dir + " already exists and is not empty; choose a new folder");
      }
      Files.createDirectories(dir.resolve("features"));
      copy("quiver.yaml", dir.resolve(DefinitionLoader.CONFIG_FILE));
      copy("payments.yaml", dir.resolve("features/payments.yaml"));
      Files.writeString(dir.resolve(".gitignore"), "# local state: the registry and the online store\n.quiver/\n");
      out.printf("Creating a payments feature repo in %s%n", dir);
      out.flush();
      PaymentsDataset dataset = PaymentsDataset.of(seed, rows, start, PaymentsDataset.DEFAULT_DAYS);
      PaymentsGenerator generator = new PaymentsGenerator(dataset);
      Progress progress = new Progress(err, "generating transactions", rows);
      RowCounts counts = generator.writeParquet(dir.resolve("data"), progress::update);
      progress.done(counts.transactions());
      out.printf("  wrote data/%s (%,d rows), data/%s (%,d), data/%s (%,d)%n",
          PaymentsGenerator.TRANSACTIONS_FILE, counts.transactions(),
          PaymentsGenerator.USER_PROFILES_FILE, counts.userProfiles(),
          PaymentsGenerator.MERCHANT_PROFILES_FILE, counts.merchantProfiles());
      out.printf("  payments from %s to %s (%d days)%n", dataset.start(), dataset.end(), dataset.days());
      out.println("  wrote quiver.yaml and features/payments.yaml");
      out.flush();
    } catch (IOException e) {
      throw new QuiverException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private static void copy(String template, Path target) {
    try (InputStream in = InitCommand.class.getResourceAsStream("template/" + template)) {
      if (in == null) {
        throw new IllegalStateException("template missing from the CLI jar: " + template);
      }
      Files.write(target, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
