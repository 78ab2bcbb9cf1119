package tlslab.pki;

import java.text.Normalizer;
import java.util.Locale;
import tlslab.common.LabException;

/**
 * One student of a class: a display name (the certificate's CN) and an optional ID (the
 * certificate's UID attribute, RFC 4519). {@link #folder()} is where the student's bundle goes: the
 * ID if there is one, else the name, reduced to letters, digits, '.', '-' and '_'.
 *
 * @param name the student's name, e.g. "Zoë Martín"
 * @param id the student's ID, e.g. "s1234567", or null
 */
public record Student(String name, String id) {

  public Student {
    if (name == null || name.isBlank()) {
      throw LabException.badInput("a student needs a name");
    }
    name = name.strip();
    id = id == null || id.isBlank() ? null : id.strip();
  }

  /** A folder (and file) name for this student: "s1234567" or "zoe-martin". */
  public String folder() {
    String base = id != null ? id : name;
    // Strip accents (NFD splits "ë" into "e" + combining mark), then keep safe characters only.
    String ascii = Normalizer.normalize(base, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    String slug =
        ascii
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9._-]+", "-")
            .replaceAll("^[-.]+|-+$", "");
    if (slug.isEmpty()) {
      throw LabException.badInput(
          "student '" + base + "' gives an empty folder name; give the student an ID (ID,Name)");
    }
    return slug.length() > 64 ? slug.substring(0, 64) : slug;
  }

  /** "Zoë Martín (s1234567)" or just the name. */
  @Override
  public String toString() {
    return id == null ? name : name + " (" + id + ")";
  }
}
