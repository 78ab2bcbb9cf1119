package tlslab.pki;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tlslab.common.LabException;
import tlslab.pki.internal.SecureFiles;

/**
 * A class list for {@code lab certs class}. A roster file is UTF-8 text, one student per line:
 *
 * <pre>
 * # comments and blank lines are ignored
 * Ada Lovelace               a name only: folder "ada-lovelace"
 * s1234567,Alan Turing       ID,name: folder "s1234567", UID=s1234567 in the subject
 * s7654321	Grace Hopper    ID&lt;TAB&gt;name
 * </pre>
 *
 * A line splits at its first tab, or else at its first comma. Two students may not end up in the
 * same folder. A comma line whose first part holds no digit, such as {@code Núñez, José}, is
 * refused: it reads as "Last, First", not as "ID,Name", and guessing would put the surname in the
 * certificate's UID. Write {@code José Núñez}, or give an ID ({@code s1234567,José Núñez}, or an ID
 * without digits after a tab).
 */
public final class ClassRoster {
  /** Upper bound on class size: enough for any lecture hall, small enough to stop typos. */
  public static final int MAX_STUDENTS = 10_000;

  private ClassRoster() {}

  /** Students "student-001" ... "student-N" (zero-padded to sort well). */
  public static List<Student> numbered(int count) {
    checkCount(count);
    int width = Math.max(3, String.valueOf(count).length());
    List<Student> out = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      out.add(new Student(String.format("student-%0" + width + "d", i), null));
    }
    return List.copyOf(out);
  }

  /**
   * Reads a roster file.
   *
   * @throws LabException BAD_INPUT for a missing or non-UTF-8 file, no students, a line without a
   *     name, or two students with the same folder (the message gives the line number)
   */
  public static List<Student> read(Path file) {
    byte[] bytes = SecureFiles.read(file);
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw LabException.badInput(file + ": not UTF-8 text (save the roster as UTF-8)");
    }
    List<Student> students = new ArrayList<>();
    Map<String, Integer> folders = new HashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (i == 0 && line.startsWith("\uFEFF")) {
        line = line.substring(1).strip(); // byte order mark written by some editors
      }
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      boolean tab = line.indexOf('\t') >= 0;
      int cut = tab ? line.indexOf('\t') : line.indexOf(',');
      String id = cut >= 0 ? line.substring(0, cut).strip() : null;
      if (!tab && id != null && !id.isEmpty() && !id.matches(".*\\d.*")) {
        String rest = line.substring(cut + 1).strip();
        throw LabException.badInput(
            file
                + " line "
                + (i + 1)
                + ": '"
                + line
                + "' looks like 'Last, First'; write the name as it should appear ('"
                + rest
                + " "
                + id
                + "'), or 'ID,Name' with an ID that has a digit, or 'ID<TAB>Name'");
      }
      String name = cut >= 0 ? line.substring(cut + 1).strip() : line;
      if (name.isEmpty()) {
        throw LabException.badInput(file + " line " + (i + 1) + ": no student name after the ID");
      }
      Student s;
      try {
        s = new Student(name, id);
      } catch (LabException e) {
        throw LabException.badInput(file + " line " + (i + 1) + ": " + e.getMessage());
      }
      String folder;
      try {
        folder = s.folder();
      } catch (LabException e) {
        throw LabException.badInput(file + " line " + (i + 1) + ": " + e.getMessage());
      }
      Integer previous = folders.putIfAbsent(folder, i + 1);
      if (previous != null) {
        throw LabException.badInput(
            file
                + " line "
                + (i + 1)
                + ": '"
                + s
                + "' would share folder '"
                + folder
                + "' with line "
                + previous
                + "; give students distinct IDs (ID,Name)");
      }
      students.add(s);
    }
    if (students.isEmpty()) {
      throw LabException.badInput(file + ": the roster lists no students");
    }
    checkCount(students.size());
    return List.copyOf(students);
  }

  private static void checkCount(int count) {
    if (count < 1 || count > MAX_STUDENTS) {
      throw LabException.badInput(
          "class size must be between 1 and " + MAX_STUDENTS + ", got " + count);
    }
  }
}
