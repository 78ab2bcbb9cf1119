package tlslab.exercise;

import java.util.ArrayList;
import java.util.List;

/**
 * What a checker found: each requirement with whether it holds and, when it does not, a hint that
 * says what is missing. An exercise passes only when every requirement holds.
 */
public final class Report {
  /** One requirement of the exercise. */
  public record Item(boolean ok, String requirement, String hint) {}

  private final List<Item> items = new ArrayList<>();

  /** Records a requirement that holds. */
  public Report pass(String requirement) {
    items.add(new Item(true, requirement, ""));
    return this;
  }

  /** Records a requirement that does not hold, with a hint for the student. */
  public Report fail(String requirement, String hint) {
    items.add(new Item(false, requirement, hint));
    return this;
  }

  /** Records {@code requirement} as passed if {@code ok}, else as failed with {@code hint}. */
  public Report expect(boolean ok, String requirement, String hint) {
    return ok ? pass(requirement) : fail(requirement, hint);
  }

  public List<Item> items() {
    return List.copyOf(items);
  }

  /** True when there is at least one requirement and all of them hold. */
  public boolean passed() {
    return !items.isEmpty() && items.stream().allMatch(Item::ok);
  }
}
