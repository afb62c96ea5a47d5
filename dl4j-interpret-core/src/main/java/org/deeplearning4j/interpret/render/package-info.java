/**
 * Rendering, kept apart from computing: colormaps, heatmaps, overlays, grids, PNG files and the self-contained HTML
 * report. Everything that draws is here; elsewhere {@code java.awt} images only carry pixels in and out (image
 * decoding in {@code io} and {@code dataset}, the training listener's snapshots).
 */
package org.deeplearning4j.interpret.render;
