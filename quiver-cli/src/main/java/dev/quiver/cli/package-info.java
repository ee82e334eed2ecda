/**
 * The {@code quiver} command line: one picocli command class per verb ({@code init, plan, apply,
 * registry, list, describe, demo}). Commands print for people by default and JSON with {@code
 * --output json}; errors print a message, never a stack trace. {@code Launch}, the jar's entry
 * point (compiled for Java 8 from {@code src/main/launcher}), checks the Java version before {@link
 * Main} runs.
 */
package dev.quiver.cli;
