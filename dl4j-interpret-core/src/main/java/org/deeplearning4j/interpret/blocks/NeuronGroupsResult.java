package org.deeplearning4j.interpret.blocks;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Neuron groups of one image: spatial masks, channel directions, attributions, icons, NMF error history. */
public final class NeuronGroupsResult {
    private final int h;
    private final int w;
    private final double[][] masks;
    private final double[][] directions;
    private final double[] attribution;
    private final INDArray icons;
    private final double[] errors;
    private final boolean converged;

    NeuronGroupsResult(int h, int w, double[][] wm, double[][] hm, double[] attribution, INDArray icons,
            double[] errors, boolean converged) {
        this.h = h;
        this.w = w;
        int k = hm.length;
        this.masks = new double[k][h * w];
        for (int p = 0; p < h * w; p++) {
            for (int g = 0; g < k; g++) {
                masks[g][p] = wm[p][g];
            }
        }
        this.directions = hm;
        this.attribution = attribution.clone();
        this.icons = icons == null ? null : icons.dup();
        this.errors = errors.clone();
        this.converged = converged;
    }

    /** @return number of groups */
    public int size() {
        return directions.length;
    }

    /** @return layer height */
    public int height() {
        return h;
    }

    /** @return layer width */
    public int width() {
        return w;
    }

    /**
     * @param g group
     * @return its spatial mask, row-major {@code [h * w]}, non-negative
     */
    public double[] mask(int g) {
        return masks[g].clone();
    }

    /**
     * @param g group
     * @return its channel direction {@code [C]}, non-negative
     */
    public double[] direction(int g) {
        return directions[g].clone();
    }

    /** @return the attribution carried by each group */
    public double[] attribution() {
        return attribution.clone();
    }

    /**
     * @param g group
     * @return its feature visualization (display image {@code [C, H, W]}), or null if not rendered
     */
    public INDArray icon(int g) {
        return icons == null ? null : icons.get(NDArrayIndex.point(g)).dup();
    }

    /** @return the NMF reconstruction error before the first update and after each */
    public double[] errors() {
        return errors.clone();
    }

    /** @return whether NMF reached its tolerance */
    public boolean converged() {
        return converged;
    }
}
