package org.deeplearning4j.interpret.listener;

import java.awt.image.BufferedImage;

/**
 * One picture a snapshot job produced: its timeline row, the image, its caption and the PNG file it is saved as.
 *
 * @param row the timeline row (e.g. "Saliency, probe 0"); the same row across snapshots shows the evolution
 * @param image the picture
 * @param caption what the picture shows at this snapshot (the snapshot's label is prefixed)
 * @param fileName the PNG file name in the snapshot's folder
 */
record Frame(String row, BufferedImage image, String caption, String fileName) {
}
