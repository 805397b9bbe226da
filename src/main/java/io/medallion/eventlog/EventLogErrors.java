package io.medallion.eventlog;

import io.medallion.MedallionException;

/** The errors of the event log, made in one place: problem, cause and fix. */
final class EventLogErrors {
  private EventLogErrors() {}

  static MedallionException cannotCreate(Object table, String pipeline, Exception e) {
    return new MedallionException("Cannot create the event log " + table + " of pipeline '"
        + pipeline + "': " + e.getMessage() + ". Set env.event-log to a table the job may create,"
        + " or event-log = off.", e);
  }
}
