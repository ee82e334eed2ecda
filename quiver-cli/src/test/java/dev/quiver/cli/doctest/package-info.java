/**
 * The doc-example test ({@link dev.quiver.cli.doctest.DocExamplesTest}): every code block of
 * {@code README.md} and {@code docs/*.md} runs as written, against a scratch folder per page, and
 * shows what the text says. Run it alone with
 * {@code ./mvnw -q -pl quiver-cli -am verify -Dtest=DocExamplesTest -Dsurefire.failIfNoSpecifiedTests=false};
 * it writes what ran and what was skipped to {@code quiver-cli/target/doc-examples.txt}.
 *
 * <h2>What runs, by the block's language</h2>
 *
 * <ul>
 *   <li>{@code sh} (also {@code bash}, {@code shell}): {@code bash -e} in the page's session: {@code
 *       $HOME} is a scratch folder, {@code quiver} on the PATH runs the CLI of this module, and each
 *       block starts in the folder the previous one ended in (so {@code cd my-repo} carries over, as
 *       in a terminal). {@code quiver serve} returns once the server listens and keeps it running in
 *       the background until the page ends (or another {@code quiver serve} replaces it), so later
 *       {@code curl} blocks and Java clients talk to it; a user runs it in a second terminal.
 *   <li>{@code yaml}: definition sections are merged into the tour repo's {@code features/payments.yaml}
 *       (an item replaces the one of the same kind and name) and {@code quiver.yaml} keys into its
 *       {@code quiver.yaml}; the result must pass {@code quiver plan}. {@code ---} separates
 *       alternatives, checked one by one.
 *   <li>{@code json}: parsed (one complete value).
 *   <li>{@code java}: compiled against every Quiver module (statements are wrapped in a {@code main}
 *       method after their imports); run, from {@code $HOME}, when the block has a {@code main}
 *       method or is marked {@code run}. Classes a page compiles are visible to its later blocks
 *       (e.g. a custom transform used by a YAML block).
 *   <li>No language, {@code text}, {@code ebnf} and any other language ({@code python}, {@code xml}):
 *       not run (output, layouts, grammar, other tools' snippets); the summary counts them by
 *       language and they take no directives. A block with no
 *       language that starts with a command ({@code quiver}, {@code curl}, {@code java}, ...) is an
 *       error: label it.
 * </ul>
 *
 * <h2>Directives: HTML comments right before a block (invisible on GitHub)</h2>
 *
 * <pre>
 * &lt;!-- doc-test: repo=tour --&gt;               before the page's first block: the page starts in
 *                                          ~/my-repo, the README tour's repo (init with 5,000
 *                                          rows, apply, materialize 2000-01-01 now); default
 *                                          repo=none, an empty $HOME
 * &lt;!-- doc-test: skip (why) --&gt;              do not run it; the reason is required and the test
 *                                          lists every skipped block
 * &lt;!-- doc-test: expect-exit 2 --&gt;           the exit code the block ends with (default 0)
 * &lt;!-- doc-test: output-contains "PRESENT" --&gt;  its output must contain the text (repeatable)
 * &lt;!-- doc-test: output-lacks "NOT_FOUND" --&gt;     its output must not contain the text (repeatable)
 * &lt;!-- doc-test: run --&gt;                     run a Java block that has no main method
 * &lt;!-- doc-test: requires=grpcurl --&gt;        needs a program; skipped (and listed) without it
 * </pre>
 *
 * No block's output may hold a Java stack trace. Several directives may share one comment ({@code <!-- doc-test: run output-contains "PRESENT" -->}).
 * A directive that is not right before a block (blank lines aside), an unknown one, or a skip
 * without a reason fails the test with the page and line.
 */
package dev.quiver.cli.doctest;
