package tlslab.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --port N} for the commands that listen: 0 (any free port) to 65535. Anything else is a
 * usage error (exit 2), named by picocli with the option, before the command starts. {@link
 * Connect} is the same for the commands that connect, where 0 is no port.
 */
class PortConverter implements ITypeConverter<Integer> {
  private final int min;

  PortConverter() {
    this(0);
  }

  PortConverter(int min) {
    this.min = min;
  }

  @Override
  public Integer convert(String value) {
    int port;
    try {
      port = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is not a port number");
    }
    if (port < min || port > 65535) {
      throw new TypeConversionException("a port is " + min + "..65535, got " + port);
    }
    return port;
  }

  /** A port to connect to: 1..65535. */
  static final class Connect extends PortConverter {
    Connect() {
      super(1);
    }
  }
}
