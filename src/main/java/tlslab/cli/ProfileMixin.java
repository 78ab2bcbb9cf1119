package tlslab.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;
import tlslab.common.LabException;
import tlslab.tls.TlsProfile;

/**
 * {@code --profile NAME}, declared once for every command that speaks TLS: the name is converted to
 * a {@link TlsProfile} while the command line is parsed, so a wrong name is a usage error (exit 2)
 * naming the valid ones, before the command runs.
 */
final class ProfileMixin {
  @Option(
      names = "--profile",
      paramLabel = "NAME",
      defaultValue = "modern",
      converter = Converter.class,
      description =
          "modern (TLS 1.2, ECDHE, AES-GCM), report (the report's TLS_RSA_WITH_AES_128_CBC_SHA:"
              + " no forward secrecy, loudly labelled) or tls13 (default: ${DEFAULT-VALUE}).")
  TlsProfile profile;

  /** The chosen profile. */
  TlsProfile get() {
    return profile;
  }

  /** {@code modern}, {@code report} or {@code tls13}, in any case. */
  static final class Converter implements ITypeConverter<TlsProfile> {
    @Override
    public TlsProfile convert(String value) {
      try {
        return TlsProfile.parse(value);
      } catch (LabException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
