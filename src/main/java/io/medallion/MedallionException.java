package io.medallion;

/**
 * The one exception type the library throws for problems a user can fix: bad configuration, a
 * missing table, a failed stage. Its message says what is wrong, where, and how to fix it; it never
 * contains secret values.
 */
public class MedallionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public MedallionException(String message) {
    super(message);
  }

  public MedallionException(String message, Throwable cause) {
    super(message, cause);
  }
}
