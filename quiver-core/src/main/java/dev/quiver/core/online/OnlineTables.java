package dev.quiver.core.online;

import dev.quiver.core.model.FeatureView;

/** Online table names: one per project and view version, {@code project.view@vN}. */
public final class OnlineTables {
  private OnlineTables() {}

  public static String of(String project, FeatureView view) {
    return project + "." + view.qualifiedName();
  }
}
