package tlslab.exercise.checks;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How alike two answers in a student's own words are, for the instructor: a disguised copy (the
 * same sentences with another name, reordered clauses, a synonym or two) stays alike, two answers
 * written independently about the same thing do not. A pure function over the two texts.
 *
 * <p>Two measures, the higher one counts:
 *
 * <ul>
 *   <li>word pairs in common (the Dice coefficient of the two sets of adjacent word pairs): a
 *       synonym breaks the two pairs it is in and leaves the rest of the sentence; reordering whole
 *       clauses breaks only the pairs at their seams;
 *   <li>content words in common (the cosine of their counts, common words such as "the", "both" and
 *       "same" aside): survives words shuffled inside a clause.
 * </ul>
 *
 * Students answering the same question share its vocabulary ("handshake", "keys", "tampered"), not
 * its phrasing: measured on realistic answers (the test's), independent ones stay below 0.6 on both
 * measures, disguised copies above 0.7. Short answers ("TLS 1.3", "AES-128-GCM", "Proves integrity
 * of the handshake.") are alike by nature and never compared: fewer than {@value #MIN_WORDS} words.
 */
final class AnswerSimilarity {
  /** Fewest words an answer needs to be compared at all. */
  static final int MIN_WORDS = 10;

  /** Fewest content words an answer needs for the content-word measure. */
  static final int MIN_CONTENT_WORDS = 5;

  /** From this similarity on, two answers are flagged as a near-copy. */
  static final double NEAR_COPY = 0.7;

  /**
   * From this share of an answer's word triples found in the lab's own texts on, the answer is
   * taken from them (a sentence of the exercise, the README or docs/), not in the student's words.
   */
  static final double FROM_TEXT = 0.75;

  private static final Set<String> COMMON =
      Set.of(
          ("a an the and or of to in on is are was were be been being it its it's that this these"
                  + " those by for with as at from so no not but than then there their they them"
                  + " we you your i he she his her which who what when where how do does did can"
                  + " could would should will shall may might must have has had also both each"
                  + " other same s t")
              .split(" "));

  private AnswerSimilarity() {}

  /** The words of {@code text}: lower case, accents and punctuation aside. */
  static List<String> words(String text) {
    String plain = tlslab.exercise.Identity.plain(text).replaceAll("[^\\p{L}\\p{N}]+", " ").strip();
    return plain.isEmpty() ? List.of() : Arrays.asList(plain.split(" "));
  }

  /**
   * The words of an answer's prose: {@link #words} of what is left when every token holding code
   * punctuation ({@code buf=b''}, a call {@code recv(n)}, {@code x[0];}) is taken out; a word in
   * brackets "(like this)" is prose. The same fix of the same function is alike in every hand-in;
   * the sentence around it is the student's.
   */
  static List<String> prose(String answer) {
    StringBuilder b = new StringBuilder();
    for (String token : answer.strip().split("\\s+")) {
      if (!token.matches(".*([=;{}\\[\\]<>`\\\\]|\\w\\().*")) {
        b.append(token).append(' ');
      }
    }
    return words(b.toString());
  }

  /** Whether an answer is long enough to be compared. */
  static boolean comparable(List<String> words) {
    return words.size() >= MIN_WORDS;
  }

  /** 0 (nothing alike) to 1 (the same words): the higher of the two measures. */
  static double similarity(List<String> a, List<String> b) {
    if (!comparable(a) || !comparable(b)) {
      return 0;
    }
    return Math.max(pairs(a, b), content(a, b));
  }

  private static double pairs(List<String> a, List<String> b) {
    Set<String> x = grams(a, 2);
    Set<String> y = grams(b, 2);
    Set<String> both = new HashSet<>(x);
    both.retainAll(y);
    return 2.0 * both.size() / (x.size() + y.size());
  }

  private static double content(List<String> a, List<String> b) {
    Map<String, Integer> x = counts(a);
    Map<String, Integer> y = counts(b);
    int nx = x.values().stream().mapToInt(Integer::intValue).sum();
    int ny = y.values().stream().mapToInt(Integer::intValue).sum();
    if (nx < MIN_CONTENT_WORDS || ny < MIN_CONTENT_WORDS) {
      return 0;
    }
    double dot = 0;
    for (Map.Entry<String, Integer> e : x.entrySet()) {
      dot += e.getValue() * (double) y.getOrDefault(e.getKey(), 0);
    }
    return dot / (norm(x) * norm(y));
  }

  private static Map<String, Integer> counts(List<String> words) {
    Map<String, Integer> out = new HashMap<>();
    for (String w : words) {
      if (!COMMON.contains(w)) {
        out.merge(w, 1, Integer::sum);
      }
    }
    return out;
  }

  private static double norm(Map<String, Integer> v) {
    return Math.sqrt(v.values().stream().mapToDouble(n -> (double) n * n).sum());
  }

  /** Every run of {@code n} adjacent words, joined by spaces. */
  static Set<String> grams(List<String> words, int n) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i + n <= words.size(); i++) {
      out.add(String.join(" ", words.subList(i, i + n)));
    }
    return out;
  }

  /**
   * The share of the answer's word triples found in {@code textTriples} (a text's {@link #grams} of
   * 3): 1 for a sentence pasted from it, also a shortened one; 0 for an answer of fewer than
   * {@value #MIN_WORDS} words.
   */
  static double takenFrom(List<String> answer, Set<String> textTriples) {
    if (!comparable(answer)) {
      return 0;
    }
    Set<String> mine = grams(answer, 3);
    long found = mine.stream().filter(textTriples::contains).count();
    return (double) found / mine.size();
  }
}
