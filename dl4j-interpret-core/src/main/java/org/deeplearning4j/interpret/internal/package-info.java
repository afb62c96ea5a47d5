/** Internal helpers (quadrature rules, resizing, seeds, SameDiff sessions, native memory; the engines in {@code internal.engine}). Not API: may change without notice. */
package org.deeplearning4j.interpret.internal;
