package dev.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkout's {@code quiver} launcher works from any folder and through symlinks. It runs here in
 * a copy of the checkout whose CLI jar is a stand-in that prints its arguments, so the test neither
 * builds nor depends on the real jar.
 */
class LauncherScriptTest {
  @TempDir Path tmp;

  @Test
  void runsThroughASymlinkFromAnotherFolder() throws Exception {
    Path checkout = fakeCheckout();
    Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere/bin"));
    Path absolute = Files.createSymbolicLink(elsewhere.resolve("quiver"), checkout.resolve("quiver"));
    Path relative = Files.createSymbolicLink(elsewhere.resolve("q2"), elsewhere.relativize(absolute));

    for (Path link : List.of(absolute, relative)) {
      String out = run(tmp.resolve("elsewhere"), link.toString(), "plan", "--repo", "my repo");
      assertThat(out).as(link.toString()).contains("stand-in quiver: [plan, --repo, my repo]");
    }
    String onPath = run(tmp.resolve("elsewhere"), "bash", "-c", "PATH=\"" + elsewhere + ":$PATH\" quiver --version");
    assertThat(onPath).contains("stand-in quiver: [--version]");
  }

  /** A copy of the launcher and its JDK selection, with a CLI jar newer than every source. */
  private Path fakeCheckout() throws IOException {
    Path checkout = Files.createDirectories(tmp.resolve("checkout"));
    Path real = Path.of("..").toAbsolutePath().normalize();
    Files.copy(real.resolve("quiver"), checkout.resolve("quiver"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.createDirectories(checkout.resolve("bin"));
    Files.copy(real.resolve("bin/select-jdk.sh"), checkout.resolve("bin/select-jdk.sh"));
    Path target = Files.createDirectories(checkout.resolve("quiver-cli/target/lib"));

    Path src = Files.createDirectories(tmp.resolve("src/dev/quiver/cli"));
    Files.writeString(src.resolve("Main.java"), """
        package dev.quiver.cli;
        public class Main {
          public static void main(String[] args) {
            System.out.println("stand-in quiver: " + java.util.Arrays.toString(args));
          }
        }
        """);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    Path classes = Files.createDirectories(tmp.resolve("classes"));
    assertThat(javac.run(null, null, null, "-d", classes.toString(), src.resolve("Main.java").toString())).isZero();
    try (OutputStream file = Files.newOutputStream(target.getParent().resolve("quiver-cli.jar"));
         JarOutputStream jar = new JarOutputStream(file)) {
      jar.putNextEntry(new JarEntry("dev/quiver/cli/Main.class"));
      jar.write(Files.readAllBytes(classes.resolve("dev/quiver/cli/Main.class")));
      jar.closeEntry();
    }
    return checkout;
  }

  private static String run(Path dir, String... command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }
}
