/**
 * How each kind of table is computed (bronze, silver, gold). Used by {@link
 * io.medallion.run.PipelineRunner}; no compatibility promise for code outside medallion.
 */
package io.medallion.stage;
