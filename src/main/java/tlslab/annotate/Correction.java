package tlslab.annotate;

/**
 * One of the student report's claims, checked against the message in front of the reader: said only
 * on the lab's own captures ({@code lab annotate --report}, the demo), and only where it holds for
 * this capture's version, suite and handshake mode.
 *
 * @param confirms true when this capture bears the report out, false when it corrects it
 * @param text the claim and what the capture shows, as one standalone sentence or two
 */
public record Correction(boolean confirms, String text) {}
