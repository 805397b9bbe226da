package io.medallion.eventlog;

import io.medallion.MedallionException;

/** The errors of the event log, made in one place: problem, cause and fix. */
final class EventLogErrors {
  private EventLogErrors() {}

  static MedallionException cannotCreate(Object table, String pipeline, Throwable e) {
    return new MedallionException("Cannot create the event log " + table + " of pipeline '"
        + pipeline + "': " + e.getMessage() + ". Set env.event-log to a table the job may create,"
        + " or event-log = off.", e);
  }

  static MedallionException interrupted(Object table, String pipeline, InterruptedException e) {
    return new MedallionException("Interrupted while creating the event log " + table + " of pipeline '"
        + pipeline + "': the run's thread was interrupted (the job is being cancelled). Run it again;"
        + " its writes are idempotent.", e);
  }
}
