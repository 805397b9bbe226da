package io.medallion.quality;

/**
 * The outcome of one dataset check on one batch.
 *
 * @param name the check's name
 * @param type its type ({@code row-count}, {@code rejected-share}, ...)
 * @param action {@link Action#FAIL} or {@link Action#WARN}
 * @param passed whether the batch satisfied it
 * @param observed what was measured, e.g. {@code 0.031 of 1200 rows}
 * @param message for a failed check, what is wrong and what was expected; empty when it passed
 */
public record CheckResult(String name, String type, Action action, boolean passed, String observed, String message) {}
