/** Internal helpers (quadrature rules, resizing). Not API: may change without notice. */
package org.deeplearning4j.interpret.internal;
