package tlslab.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import tlslab.common.LabException;
import tlslab.tls.ClientAuth;

/**
 * {@code --client-auth none|want|need} for every command that has it: a wrong word is a usage error
 * (exit 2), named by picocli with the option.
 */
final class ClientAuthConverter implements ITypeConverter<ClientAuth> {
  @Override
  public ClientAuth convert(String value) {
    try {
      return ClientAuth.parse(value);
    } catch (LabException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
