package io.medallion.cli;

import io.medallion.MedallionException;

/** A mistake in the command line; the message includes the usage. */
final class UsageException extends MedallionException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message + "\n\n" + Cli.USAGE);
  }
}
