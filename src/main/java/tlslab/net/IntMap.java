package tlslab.net;

import java.util.Arrays;

/**
 * An int-keyed hash map (open addressing, linear probing) for the server's members: a broadcast
 * looks up every recipient by id, and {@code HashMap<Integer, ...>} would box each id above 127,
 * one object per delivery. Not thread-safe; keys must not be {@link Integer#MIN_VALUE}.
 */
final class IntMap<V> {
  private static final int FREE = Integer.MIN_VALUE;
  private int[] keys;
  private Object[] values;
  private int size;

  IntMap() {
    keys = new int[16];
    Arrays.fill(keys, FREE);
    values = new Object[16];
  }

  int size() {
    return size;
  }

  @SuppressWarnings("unchecked")
  V get(int key) {
    int mask = keys.length - 1;
    for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
      int k = keys[i];
      if (k == key) {
        return (V) values[i];
      }
      if (k == FREE) {
        return null;
      }
    }
  }

  void put(int key, V value) {
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
      if (keys[i] == key) {
        values[i] = value;
        return;
      }
      if (keys[i] == FREE) {
        keys[i] = key;
        values[i] = value;
        size++;
        return;
      }
    }
  }

  void remove(int key) {
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (keys[i] != key) {
      if (keys[i] == FREE) {
        return;
      }
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: move later entries of the probe run into the gap, so that lookups
    // never stop early at a hole (no tombstones needed).
    int gap = i;
    for (int j = (i + 1) & mask; keys[j] != FREE; j = (j + 1) & mask) {
      int home = mix(keys[j]) & mask;
      boolean movable = gap <= j ? (home <= gap || home > j) : (home <= gap && home > j);
      if (movable) {
        keys[gap] = keys[j];
        values[gap] = values[j];
        gap = j;
      }
    }
    keys[gap] = FREE;
    values[gap] = null;
    size--;
  }

  private void grow() {
    int[] oldKeys = keys;
    Object[] oldValues = values;
    keys = new int[oldKeys.length * 2];
    Arrays.fill(keys, FREE);
    values = new Object[oldKeys.length * 2];
    size = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != FREE) {
        @SuppressWarnings("unchecked")
        V v = (V) oldValues[i];
        put(oldKeys[i], v);
      }
    }
  }

  private static int mix(int key) {
    int h = key * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
