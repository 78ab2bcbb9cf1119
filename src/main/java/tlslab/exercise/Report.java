package tlslab.exercise;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a checker found: each requirement with whether it holds and, when it does not, a hint that
 * says what is missing. An exercise passes only when every requirement holds. Notes (such as how
 * far identity is proven) and conceptual answers collected for the instructor ride along; they
 * never make an exercise pass.
 */
public final class Report {
  /** One requirement of the exercise. */
  public record Item(boolean ok, String requirement, String hint) {}

  private final List<Item> items = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private final Map<String, String> collected = new LinkedHashMap<>();
  private final List<String> caveats = new ArrayList<>();

  /** Records a requirement that holds. */
  public Report pass(String requirement) {
    items.add(new Item(true, requirement, ""));
    return this;
  }

  /**
   * Records a requirement that does not hold, with a hint for the student; any {@link #caveat}
   * recorded before is added to the hint, since it may be why.
   */
  public Report fail(String requirement, String hint) {
    String h = hint;
    for (String c : caveats) {
      if (!h.contains(c.substring(0, Math.min(40, c.length())))) {
        h = h + " (note: " + c + ")";
      }
    }
    items.add(new Item(false, requirement, h));
    return this;
  }

  /**
   * A fact that may explain what a later check cannot find, such as "02.pcap lost 3 packets while
   * it was made": it becomes a note, and every requirement that fails after it repeats it in its
   * hint. It never makes a requirement pass or fail by itself.
   */
  public Report caveat(String line) {
    note("WARNING: " + line);
    if (!caveats.contains(line)) {
      caveats.add(line);
    }
    return this;
  }

  /** Records {@code requirement} as passed if {@code ok}, else as failed with {@code hint}. */
  public Report expect(boolean ok, String requirement, String hint) {
    return ok ? pass(requirement) : fail(requirement, hint);
  }

  /** A line for the student that is not a requirement (e.g. "identity: not proven"). */
  public Report note(String line) {
    if (!notes.contains(line)) {
      notes.add(line);
    }
    return this;
  }

  /**
   * A conceptual answer, kept word for word for the instructor to read (the gradebook attaches it);
   * it is never matched against keywords.
   */
  public Report collect(String key, String answer) {
    collected.put(key, answer);
    return this;
  }

  public List<Item> items() {
    return List.copyOf(items);
  }

  public List<String> notes() {
    return List.copyOf(notes);
  }

  public Map<String, String> collected() {
    return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(collected));
  }

  /** The first failed item, if any. */
  public java.util.Optional<Item> firstFailure() {
    return items.stream().filter(i -> !i.ok()).findFirst();
  }

  /** True when there is at least one requirement and all of them hold. */
  public boolean passed() {
    return !items.isEmpty() && items.stream().allMatch(Item::ok);
  }
}
