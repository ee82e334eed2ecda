package dev.quiver.cli.doctest;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Java blocks, compiled with {@code javax.tools} against the test classpath (every Quiver module the
 * CLI has) and the classes the page's earlier Java blocks compiled. A block that declares a type
 * (a class, record, interface or enum) is a source file; any other block is statements, preceded by
 * its imports, wrapped in the {@code main} method of a class of its own. A block runs, in a JVM of
 * its own whose working folder is the page's {@code $HOME} (where {@code my-repo} is), when it has a
 * {@code main} method or is marked {@code run}.
 */
final class JavaBlocks {
  private static final Pattern TYPE = Pattern.compile(
      "(?m)^(?:(?:public|final|abstract|sealed)\\s+)*(?:class|record|interface|enum)\\s+(\\w+)");
  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");

  private JavaBlocks() {}

  static void check(DocSession session, DocBlock block) throws Exception {
    String text = block.text();
    Matcher type = TYPE.matcher(text);
    String mainClass;
    String source;
    int importLines; // the lines before the wrapper's class and method lines (which shift the rest by 2)
    if (type.find()) {
      Matcher pkg = PACKAGE.matcher(text);
      String pkgName = pkg.find() ? pkg.group(1) : "";
      mainClass = (pkgName.isEmpty() ? "" : pkgName + ".") + type.group(1);
      source = text;
      importLines = Integer.MAX_VALUE;
    } else {
      String name = "DocSnippet_" + block.file().getFileName().toString().replaceAll("\\W", "_") + "_" + block.line();
      List<String> imports = new ArrayList<>();
      List<String> body = new ArrayList<>();
      for (String line : text.split("\n", -1)) {
        (body.isEmpty() && (line.startsWith("import ") || line.isBlank()) ? imports : body).add(line);
      }
      source = String.join("\n", imports) + "\npublic final class " + name + " {\n"
          + "  public static void main(String[] args) throws Exception {\n" + String.join("\n", body) + "\n  }\n}\n";
      mainClass = name;
      importLines = imports.size();
    }
    compile(session, block, mainClass, source, importLines);
    boolean hasMain = text.contains("static void main(");
    if (hasMain || block.directives().run()) {
      List<String> command = new ArrayList<>(List.of(session.tools.java().toString()));
      command.addAll(DocTools.JVM_OPTIONS);
      command.addAll(List.of("-cp", session.tools.classpath() + File.pathSeparator + session.classes, mainClass));
      session.exec(command, session.home, "java-" + block.line()).check(block, "the Java block (run in " + session.home + ")");
    } else if (block.directives().expectExit() != 0 || !block.directives().outputContains().isEmpty()) {
      throw new AssertionError(block.where() + ": expect-exit and output-contains need a Java block that runs;"
          + " mark it 'run' or give it a main method");
    }
  }

  private static void compile(DocSession session, DocBlock block, String className, String source, int importLines)
      throws IOException {
    Path file = session.state.resolve("src").resolve(className.replace('.', '/') + ".java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      List<String> options = List.of("--release", "21", "-proc:none", "-encoding", "UTF-8",
          "-d", session.classes.toString(), "-cp", session.tools.classpath() + File.pathSeparator + session.classes);
      boolean ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(file)).call();
      if (!ok) {
        StringBuilder b = new StringBuilder(block.where() + ": the Java block does not compile:");
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
          if (d.getKind() == Diagnostic.Kind.ERROR) {
            long line = d.getLineNumber();
            long docLine = block.line() + (line <= importLines ? line : line - 2);
            b.append("\n  line ").append(docLine).append(": ").append(d.getMessage(Locale.ROOT));
          }
        }
        throw new AssertionError(b.toString());
      }
    }
  }
}
