package dev.quiver.offline.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quiver.core.QuiverException;
import dev.quiver.core.offline.OfflineEngineProvider;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The provider: found by name, options checked, one session per master and settings. */
class SparkEngineProviderTest {

  @Test
  void serviceLoaderFindsTheEngineNamedSpark() {
    assertThat(ServiceLoader.load(OfflineEngineProvider.class).stream().map(p -> p.get().name())).contains("spark");
  }

  @Test
  void enginesShareOneSessionPerMasterAndSettings() {
    try (var a = (SparkOfflineEngine) TestSpark.engine(); var b = (SparkOfflineEngine) TestSpark.engine()) {
      assertThat(a.spark()).isSameAs(b.spark());
      assertThat(a.spark().conf().get("spark.sql.session.timeZone")).isEqualTo("UTC");
      assertThat(a.spark().conf().get("spark.ui.enabled")).isEqualTo("false");
    }
    // other SQL settings: a session of their own on the same context, the first left as it was
    var other = (SparkOfflineEngine) new SparkEngineProvider().open(Map.of("master", "local[2]",
        "conf", Map.of("spark.sql.shuffle.partitions", 3)));
    assertThat(other.spark()).isNotSameAs(TestSpark.session());
    assertThat(other.spark().sparkContext()).isSameAs(TestSpark.session().sparkContext());
    assertThat(other.spark().conf().get("spark.sql.shuffle.partitions")).isEqualTo("3");
    assertThat(TestSpark.session().conf().get("spark.sql.shuffle.partitions")).isEqualTo("4");
  }

  @Test
  void rejectsBadOptionsNamingThem() {
    assertThatThrownBy(() -> new SparkEngineProvider().open(Map.of("mastr", "local")))
        .isInstanceOf(QuiverException.class).hasMessageContaining("unknown offline option 'mastr'").hasMessageContaining("master, conf");
    assertThatThrownBy(() -> new SparkEngineProvider().open(Map.of("conf", "spark.executor.memory=4g")))
        .isInstanceOf(QuiverException.class).hasMessageContaining("offline.conf must be a map");
    TestSpark.session();
    assertThatThrownBy(() -> new SparkEngineProvider().open(Map.of("master", "local[1]")))
        .isInstanceOf(QuiverException.class).hasMessageContaining("already runs Spark with master local[2]");
  }
}
