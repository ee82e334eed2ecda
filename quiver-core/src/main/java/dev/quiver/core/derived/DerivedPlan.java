package dev.quiver.core.derived;

import dev.quiver.core.QuiverException;
import dev.quiver.core.derived.DerivedFeatures.FeatureInput;
import dev.quiver.core.derived.DerivedFeatures.Input;
import dev.quiver.core.derived.DerivedFeatures.Node;
import dev.quiver.core.derived.DerivedFeatures.RequestInput;
import dev.quiver.core.expr.CompiledExpression;
import dev.quiver.core.expr.Expression;
import dev.quiver.core.expr.ExpressionException;
import dev.quiver.core.expr.ExpressionParser;
import dev.quiver.core.model.FeatureRef;
import dev.quiver.core.model.RequestField;
import dev.quiver.core.model.ValueType;
import dev.quiver.core.spi.Transform;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How to compute one list of requested features over a row array: slots {@code [0, b)} hold the
 * base features to read ({@link #baseFeatures()}, column and aggregate features, requested or needed
 * by a derived one), slots {@code [b, b + r)} the request fields ({@link #requestFields()}), and the
 * slots after them the derived features, which {@link #evaluate} fills in dependency order. {@link
 * #outputs()} says which slot holds each requested feature.
 *
 * <p>Immutable and thread-safe; {@link #evaluate} writes only to the row it is given.
 *
 * <p>Serializable, so that a distributed engine can ship it to its workers: what is written is the
 * recipe (the requested features and the derived features' expressions as text, their inputs and
 * their transforms' class names), and reading compiles it again, loading custom transforms through
 * the reading thread's context class loader (else Quiver's own), so their jars must be on the
 * workers' classpath.
 */
public final class DerivedPlan implements Serializable {
  /** A requested feature and the slot that holds its value. */
  public record Output(FeatureRef ref, ValueType type, int slot, boolean derived) {}

  /** A request field the plan reads, and the on-demand view that declares it (for messages). */
  public record RequestSlot(RequestField field, String view) {}

  private interface Step {
    void run(Object[] row);
  }

  private final List<FeatureRef> baseFeatures;
  private final List<ValueType> baseTypes;
  private final List<RequestSlot> requestFields;
  private final List<Output> outputs;
  private final int width;
  private final Step[] steps;
  /** What {@link #build} was given (the derived nodes in evaluation order): the serialized form. */
  private final List<FeatureRef> requested;
  private final List<ValueType> requestedTypes;
  private final List<Node> derived;

  private DerivedPlan(List<FeatureRef> baseFeatures, List<ValueType> baseTypes, List<RequestSlot> requestFields,
      List<Output> outputs, int width, Step[] steps, List<FeatureRef> requested, List<ValueType> requestedTypes,
      List<Node> derived) {
    this.requested = List.copyOf(requested);
    this.requestedTypes = new ArrayList<>(requestedTypes); // may hold nulls
    this.derived = List.copyOf(derived);
    this.baseFeatures = List.copyOf(baseFeatures);
    this.baseTypes = List.copyOf(baseTypes);
    this.requestFields = List.copyOf(requestFields);
    this.outputs = List.copyOf(outputs);
    this.width = width;
    this.steps = steps;
  }

  static DerivedPlan build(List<FeatureRef> requested, List<ValueType> requestedTypes, Map<FeatureRef, Node> nodes) {
    Map<FeatureRef, ValueType> base = new LinkedHashMap<>();
    Map<String, RequestSlot> request = new LinkedHashMap<>();
    List<Node> order = new ArrayList<>();
    Set<FeatureRef> visited = new HashSet<>();
    for (int i = 0; i < requested.size(); i++) {
      FeatureRef ref = requested.get(i);
      if (nodes.containsKey(ref)) {
        visit(nodes.get(ref), nodes, base, request, order, visited, new HashSet<>());
      } else {
        base.putIfAbsent(ref, requestedTypes.get(i));
      }
    }
    Map<FeatureRef, Integer> featureSlots = new LinkedHashMap<>();
    List<ValueType> slotTypes = new ArrayList<>(base.values());
    for (FeatureRef ref : base.keySet()) {
      featureSlots.put(ref, featureSlots.size());
    }
    Map<String, Integer> requestSlots = new LinkedHashMap<>();
    for (var e : request.entrySet()) {
      requestSlots.put(e.getKey(), featureSlots.size() + requestSlots.size());
      slotTypes.add(e.getValue().field().type());
    }
    for (Node n : order) {
      featureSlots.put(n.ref(), slotTypes.size());
      slotTypes.add(n.type());
    }
    int width = slotTypes.size();
    Step[] steps = new Step[order.size()];
    for (int s = 0; s < steps.length; s++) {
      steps[s] = step(order.get(s), featureSlots, requestSlots, slotTypes, featureSlots.get(order.get(s).ref()));
    }
    List<Output> outputs = new ArrayList<>();
    for (int i = 0; i < requested.size(); i++) {
      FeatureRef ref = requested.get(i);
      outputs.add(new Output(ref, requestedTypes.get(i), featureSlots.get(ref), nodes.containsKey(ref)));
    }
    return new DerivedPlan(List.copyOf(base.keySet()), List.copyOf(base.values()), List.copyOf(request.values()),
        outputs, width, steps, requested, requestedTypes, order);
  }

  /** Depth first: a node's inputs come before it. */
  private static void visit(Node n, Map<FeatureRef, Node> nodes, Map<FeatureRef, ValueType> base,
      Map<String, RequestSlot> request, List<Node> order, Set<FeatureRef> visited, Set<FeatureRef> path) {
    if (visited.contains(n.ref())) {
      return;
    }
    if (!path.add(n.ref())) {
      throw new QuiverException("derived features form a cycle through " + n.ref());
    }
    for (Input in : n.inputs().values()) {
      switch (in) {
        case FeatureInput f -> {
          Node dependency = nodes.get(f.ref());
          if (dependency != null) {
            visit(dependency, nodes, base, request, order, visited, path);
          } else {
            base.putIfAbsent(f.ref(), f.type());
          }
        }
        case RequestInput r -> request.putIfAbsent(r.field().name(), new RequestSlot(r.field(), r.owner()));
      }
    }
    path.remove(n.ref());
    visited.add(n.ref());
    order.add(n);
  }

  /** Compiles a node's expressions to read the row's slots directly, and writes its slot. */
  private static Step step(Node n, Map<FeatureRef, Integer> featureSlots, Map<String, Integer> requestSlots,
      List<ValueType> slotTypes, int target) {
    List<String> names = new ArrayList<>(slotTypes.size());
    for (int i = 0; i < slotTypes.size(); i++) {
      names.add("\u0000" + i); // no reference can be spelled this way: slots this node does not read
    }
    for (var e : n.inputs().entrySet()) {
      int slot = switch (e.getValue()) {
        case FeatureInput f -> featureSlots.get(f.ref());
        case RequestInput r -> requestSlots.get(r.field().name());
      };
      names.set(slot, e.getKey());
    }
    List<CompiledExpression> compiled = new ArrayList<>();
    for (Expression e : n.expressions()) {
      compiled.add(CompiledExpression.compile(e, names, slotTypes));
    }
    if (n.transform() == null) {
      CompiledExpression c = compiled.getFirst();
      return row -> row[target] = c.evaluate(row);
    }
    CompiledExpression[] args = compiled.toArray(CompiledExpression[]::new);
    Transform t = n.transform();
    Class<?> resultClass = Values.javaClass(n.type());
    return row -> {
      Object[] values = new Object[args.length];
      for (int i = 0; i < args.length; i++) {
        values[i] = args[i].evaluate(row);
      }
      Object v;
      try {
        v = t.apply(values);
      } catch (RuntimeException e) {
        throw new QuiverException("transform " + n.transformClass() + " of " + n.ref() + " failed: " + e, e);
      } catch (LinkageError e) { // its jar is on the classpath, a class it needs is not
        throw new QuiverException("transform " + n.transformClass() + " of " + n.ref() + " cannot run here: " + e
            + "; put every jar it needs on the transform classpath ('classpath:' in quiver.yaml or $QUIVER_CLASSPATH)", e);
      }
      if (v != null && !resultClass.isInstance(v)) {
        throw new QuiverException("transform " + n.transformClass() + " of " + n.ref() + " returned a "
            + v.getClass().getName() + ", but the feature is " + n.type().spelling() + " (" + resultClass.getSimpleName() + ")");
      }
      row[target] = v;
    };
  }

  /** The base features to read into slots {@code 0 ..}, in slot order. */
  public List<FeatureRef> baseFeatures() {
    return baseFeatures;
  }

  /** The types of {@link #baseFeatures()}. */
  public List<ValueType> baseTypes() {
    return baseTypes;
  }

  /** The request fields to read into the slots after the base features, in slot order. */
  public List<RequestSlot> requestFields() {
    return requestFields;
  }

  /** The first request-field slot. */
  public int requestOffset() {
    return baseFeatures.size();
  }

  /** The requested features, in request order. */
  public List<Output> outputs() {
    return outputs;
  }

  /** The length of a row array. */
  public int width() {
    return width;
  }

  /** A new row array. */
  public Object[] newRow() {
    return new Object[width];
  }

  /**
   * Computes every derived slot from the base and request slots of {@code row}.
   *
   * @throws QuiverException only when a custom transform fails or returns a value of the wrong class
   */
  public void evaluate(Object[] row) {
    for (Step s : steps) {
      s.run(row);
    }
  }

  @Serial
  private Object writeReplace() {
    List<NodeRecipe> nodes = new ArrayList<>();
    for (Node n : derived) {
      nodes.add(new NodeRecipe(n.ref(), n.type(), n.texts(), n.transformClass(), new LinkedHashMap<>(n.inputs())));
    }
    return new Recipe(requested, new ArrayList<>(requestedTypes), nodes);
  }

  @Serial
  private void readObject(ObjectInputStream in) throws InvalidObjectException {
    throw new InvalidObjectException("a DerivedPlan is read through its recipe");
  }

  /** A derived feature as written: expressions as text, the transform by class name. */
  private record NodeRecipe(FeatureRef ref, ValueType type, List<String> texts, String transformClass,
      Map<String, Input> inputs) implements Serializable {}

  /** The serialized form of a {@link DerivedPlan}; reading it compiles the plan again. */
  private record Recipe(List<FeatureRef> requested, List<ValueType> requestedTypes, List<NodeRecipe> nodes)
      implements Serializable {
    @Serial
    private Object readResolve() {
      Map<FeatureRef, Node> byRef = new LinkedHashMap<>();
      for (NodeRecipe n : nodes) {
        List<Expression> parsed = new ArrayList<>();
        for (String text : n.texts()) {
          try {
            parsed.add(ExpressionParser.parse(text));
          } catch (ExpressionException e) {
            throw new QuiverException(n.ref() + ": " + e.getMessage(), e);
          }
        }
        Transform t = n.transformClass() == null ? null : Transforms.load(n.transformClass(), Transforms.defaultLoader());
        byRef.put(n.ref(), new Node(n.ref(), n.type(), parsed, t, n.transformClass(), java.util.Collections.unmodifiableMap(new LinkedHashMap<>(n.inputs())), n.texts()));
      }
      return build(requested, requestedTypes, byRef);
    }
  }

  @Override
  public String toString() {
    return "DerivedPlan" + Arrays.toString(outputs.toArray());
  }
}
