package org.deeplearning4j.interpret.listener;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/** One interpretation computed at every snapshot; returns its pictures and arrays, the worker writes them. */
interface SnapshotJob {

    /** @return the job's name, for logs */
    String name();

    /**
     * @param model the private model holding the snapshot's weights
     * @param probes the probe images
     * @return the job's pictures and arrays
     * @throws Exception on failure (logged; the other jobs and training go on)
     */
    Output run(InterpretableModel model, INDArray probes) throws Exception;

    /**
     * What one job produced at one snapshot.
     *
     * @param frames pictures, in timeline order
     * @param arrays arrays to save as {@code .npy}, keyed by file name
     */
    record Output(List<Frame> frames, Map<String, INDArray> arrays) {
    }

    /**
     * @param row timeline row
     * @param image picture
     * @param caption caption
     * @param fileName PNG file name
     * @return a frame
     */
    static Frame frame(String row, BufferedImage image, String caption, String fileName) {
        return new Frame(row, image, caption, fileName);
    }
}
