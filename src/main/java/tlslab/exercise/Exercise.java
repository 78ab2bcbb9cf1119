package tlslab.exercise;

import java.nio.file.Path;

/**
 * One exercise: a numbered markdown file in the {@code exercises/} folder, such as {@code
 * 04-key-exchange.md}, whose first heading is its title.
 */
public record Exercise(int number, String slug, String title, Path file) {}
