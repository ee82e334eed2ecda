/**
 * The {@code spark-submit} application of Quiver ({@code quiver-spark-job.jar}): {@link
 * dev.quiver.sparkjob.QuiverSparkJob} runs the {@code quiver} command's {@code historical},
 * {@code materialize} and {@code materialize-incremental} verbs for a feature repo whose {@code
 * quiver.yaml} says {@code offline: {engine: spark}}, inside the driver that {@code spark-submit}
 * started (docs/spark.md, "Running on a cluster").
 */
package dev.quiver.sparkjob;
