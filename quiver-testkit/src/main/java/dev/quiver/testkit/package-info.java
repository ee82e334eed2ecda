/**
 * Shared test fixtures and contract suites. A plug-in proves it honours its interface by extending
 * the contract suite for it ({@link dev.quiver.testkit.RegistryStoreContract} for registry stores,
 * {@link dev.quiver.testkit.RegistryCopyContract} for copying between two of them);
 * {@link dev.quiver.testkit.SampleDefinitions} supplies realistic definitions to test with, and
 * {@link dev.quiver.testkit.StreamRepo} a feature repo over a Kafka stream source (with {@link
 * dev.quiver.testkit.KafkaBroker} for the broker).
 *
 * <p>This module is a test dependency: it depends on JUnit 5 and AssertJ.
 */
package dev.quiver.testkit;
