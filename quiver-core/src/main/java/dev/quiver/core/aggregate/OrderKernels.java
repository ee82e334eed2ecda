package dev.quiver.core.aggregate;

import dev.quiver.core.model.ValueType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The kernels that pick values by an order: min and max by {@link ValueOrder}; first, last and
 * last_k by the row order {@code (event_ts, created_ts)} and, on exact ties, the order rows were
 * added in (DESIGN §3, "Ties"): the row added later is the later one, whatever its value. So a state
 * must be given rows in their tie order (offline: file order; online: arrival), and {@link
 * Kernel#merge merge(into, from)} treats the rows of {@code from} as added after those of {@code into}.
 */
final class OrderKernels {
  private OrderKernels() {}

  /** One value, or none. */
  static final class Pick implements AggregateState {
    Object value;
    long event;
    long created;
  }

  /** min or max. */
  static final class ExtremeKernel implements Kernel<Pick> {
    private final ValueType type;
    private final Comparator<Object> order;
    private final boolean max;

    ExtremeKernel(ValueType type, boolean max) {
      this.type = type;
      this.order = ValueOrder.of(type);
      this.max = max;
    }

    @Override public Pick create() {
      return new Pick();
    }

    @Override public void add(Pick s, Object value, long e, long c) {
      if (s.value == null || (max ? order.compare(value, s.value) > 0 : order.compare(value, s.value) < 0)) {
        s.value = value;
      }
    }

    @Override public void merge(Pick into, Pick from) {
      if (from.value != null) {
        add(into, from.value, 0, 0);
      }
    }

    @Override public Pick copy(Pick s) {
      Pick p = new Pick();
      p.value = s.value;
      return p;
    }

    @Override public Object finish(Pick s) {
      return s.value;
    }

    @Override public void write(Pick s, StateCodec.Sink out) {
      out.value(type, s.value);
    }

    @Override public Pick read(StateCodec.Source in) {
      Pick p = new Pick();
      p.value = in.value(type);
      return p;
    }
  }

  /**
   * first (the least row) or last (the greatest row) by {@code (event_ts, created_ts)}; of rows with
   * equal times the first added is first and the last added is last.
   */
  static final class EdgeKernel implements Kernel<Pick> {
    private final ValueType type;
    private final boolean last;

    EdgeKernel(ValueType type, boolean last) {
      this.type = type;
      this.last = last;
    }

    @Override public Pick create() {
      return new Pick();
    }

    @Override public void add(Pick s, Object value, long e, long c) {
      if (s.value == null) {
        s.value = value;
        s.event = e;
        s.created = c;
        return;
      }
      int cmp = Long.compare(e, s.event);
      if (cmp == 0) {
        cmp = Long.compare(c, s.created);
      }
      if (last ? cmp >= 0 : cmp < 0) { // a tie: the row added later is last, the one added first stays first
        s.value = value;
        s.event = e;
        s.created = c;
      }
    }

    @Override public void merge(Pick into, Pick from) {
      if (from.value != null) {
        add(into, from.value, from.event, from.created);
      }
    }

    @Override public Pick copy(Pick s) {
      Pick p = new Pick();
      p.value = s.value;
      p.event = s.event;
      p.created = s.created;
      return p;
    }

    @Override public Object finish(Pick s) {
      return s.value;
    }

    @Override public void write(Pick s, StateCodec.Sink out) {
      out.value(type, s.value);
      if (s.value != null) {
        out.zigzag(s.event);
        out.zigzag(s.created);
      }
    }

    @Override public Pick read(StateCodec.Source in) {
      Pick p = new Pick();
      p.value = in.value(type);
      if (p.value != null) {
        p.event = in.zigzag();
        p.created = in.zigzag();
      }
      return p;
    }
  }

  /** One row of last_k; {@code added} numbers the rows in the order they were added (ties go by it). */
  record Entry(long event, long created, long added, Object value) {}

  /** The k greatest rows, the least on top. */
  static final class Latest implements AggregateState {
    final PriorityQueue<Entry> heap;
    /** The number the next added row gets. */
    long next;

    Latest(Comparator<Entry> order, int k) {
      heap = new PriorityQueue<>(Math.min(k, 64) + 1, order);
    }
  }

  /** last_k: the values of the k greatest rows by {@code (event_ts, created_ts, order added)}, newest first. */
  static final class LastKKernel implements Kernel<Latest> {
    private final ValueType type;
    private final int k;
    private final Comparator<Entry> rowOrder;

    LastKKernel(ValueType type, int k) {
      this.type = type;
      this.k = k;
      this.rowOrder = Comparator.comparingLong(Entry::event).thenComparingLong(Entry::created)
          .thenComparingLong(Entry::added);
    }

    @Override public Latest create() {
      return new Latest(rowOrder, k);
    }

    @Override public void add(Latest s, Object value, long e, long c) {
      offer(s, new Entry(e, c, s.next++, value));
    }

    private void offer(Latest s, Entry entry) {
      if (s.heap.size() < k) {
        s.heap.add(entry);
      } else if (rowOrder.compare(entry, s.heap.peek()) > 0) {
        s.heap.poll();
        s.heap.add(entry);
      }
    }

    /** The rows of {@code from} come after those of {@code into}, in their own order. */
    @Override public void merge(Latest into, Latest from) {
      for (Entry e : sorted(from)) {
        offer(into, new Entry(e.event(), e.created(), into.next++, e.value()));
      }
    }

    @Override public Latest copy(Latest s) {
      Latest c = create();
      c.heap.addAll(s.heap);
      c.next = s.next;
      return c;
    }

    @Override public Object finish(Latest s) {
      if (s.heap.isEmpty()) {
        return null;
      }
      List<Entry> rows = sorted(s);
      Collections.reverse(rows);
      List<Object> out = new ArrayList<>(rows.size());
      rows.forEach(e -> out.add(e.value()));
      return Collections.unmodifiableList(out);
    }

    /** Oldest first (ties in the order added): a canonical order for the bytes, which keeps the tie order. */
    private List<Entry> sorted(Latest s) {
      List<Entry> rows = new ArrayList<>(s.heap);
      rows.sort(rowOrder);
      return rows;
    }

    @Override public void write(Latest s, StateCodec.Sink out) {
      List<Entry> rows = sorted(s);
      out.varint(rows.size());
      for (Entry e : rows) {
        out.zigzag(e.event());
        out.zigzag(e.created());
        out.value(type, e.value());
      }
    }

    @Override public Latest read(StateCodec.Source in) {
      Latest s = create();
      int n = in.count(3);
      for (int i = 0; i < n; i++) {
        long e = in.zigzag();
        long c = in.zigzag();
        offer(s, new Entry(e, c, s.next++, in.value(type)));
      }
      return s;
    }
  }
}
