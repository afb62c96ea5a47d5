/**
 * Rendering, kept apart from computing: colormaps, heatmaps, overlays, grids, PNG files and the self-contained HTML
 * report. The only package that uses {@code java.awt}.
 */
package org.deeplearning4j.interpret.render;
