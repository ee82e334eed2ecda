/**
 * Shared test fixtures and contract suites. A plug-in proves it honours its interface by extending
 * the contract suite for it ({@link dev.quiver.testkit.RegistryStoreContract} for registry stores,
 * {@link dev.quiver.testkit.OfflineEngineContract} for offline engines, {@link
 * dev.quiver.testkit.OnlineStoreContract} for online stores, {@link
 * dev.quiver.testkit.RegistryCopyContract} for copying between two of them). The three large suites
 * are split into test interfaces by what they prove ({@link dev.quiver.testkit.OfflineContractPart},
 * {@link dev.quiver.testkit.RegistryContractPart} and {@link dev.quiver.testkit.OnlineContractPart}
 * are their roots); the suite class implements every part and holds the per-test state, so a
 * plug-in's test still extends one class;
 * {@link dev.quiver.testkit.SampleDefinitions} supplies realistic definitions to test with, and
 * {@link dev.quiver.testkit.StreamRepo} a feature repo over a Kafka stream source (with {@link
 * dev.quiver.testkit.KafkaBroker} for the broker).
 *
 * <p>This module is a test dependency: it depends on JUnit 5 and AssertJ.
 */
package dev.quiver.testkit;
