package org.deeplearning4j.interpret.blocks;

import org.deeplearning4j.interpret.featurevis.FeatureVisResult;
import org.deeplearning4j.interpret.featurevis.FeatureVisualization;
import org.deeplearning4j.interpret.featurevis.Objective;
import org.deeplearning4j.interpret.featurevis.Objectives;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Neuron groups: a layer's activations for one image, {@code [positions x channels]}, factorised by NMF into k groups
 * (a spatial mask and a channel direction each), every group visualised by optimisation along its direction and
 * attributed: each unit's attribution is split among the groups in proportion to their share of its reconstructed
 * activation (Olah et al., "The Building Blocks of Interpretability", Distill 2018).
 */
public final class NeuronGroups {
    private final InterpretableModel model;
    private final String layer;
    private final int k;
    private final long seed;
    private final double cosinePower;
    private final int steps;
    private int maxIterations = Nmf.DEFAULT_MAX_ITERATIONS;
    private double tolerance = Nmf.DEFAULT_TOLERANCE;

    private NeuronGroups(InterpretableModel model, String layer, int k, long seed, double cosinePower, int steps) {
        this.model = model;
        this.layer = layer;
        this.k = k;
        this.seed = seed;
        this.cosinePower = cosinePower;
        this.steps = steps;
    }

    /**
     * @param model the model
     * @param layer a spatial layer with non-negative activations (after a ReLU)
     * @param k groups (1..channels)
     * @param seed NMF and optimisation seed
     * @param cosinePower cosine weighting of the group visualizations
     * @param steps optimisation steps of the group visualizations (0: none)
     * @return the factorizer
     */
    public static NeuronGroups of(InterpretableModel model, String layer, int k, long seed, double cosinePower,
            int steps) {
        return new NeuronGroups(model, layer, k, seed, cosinePower, steps);
    }

    /**
     * @param activation the image's activation {@code [C, h, w]}
     * @param attribution per-unit attribution {@code [C, h, w]} (e.g. gradient x activation), or null
     * @return masks, directions, icons, attributions and the NMF error history
     */
    public NeuronGroupsResult factorize(INDArray activation, INDArray attribution) {
        if (activation.rank() != 3) {
            throw new IllegalArgumentException("Neuron groups need a spatial activation [C, h, w], got "
                    + java.util.Arrays.toString(activation.shape()));
        }
        int c = (int) activation.size(0);
        int h = (int) activation.size(1);
        int w = (int) activation.size(2);
        if (k < 1 || k > c) {
            throw new IllegalArgumentException("Asked for " + k + " neuron groups but layer '" + layer + "' has " + c
                    + " channels; choose 1.." + c);
        }
        if (k > h * w) {
            throw new IllegalArgumentException("Asked for " + k + " neuron groups but layer '" + layer + "' has only "
                    + h * w + " positions");
        }
        double[] flat = activation.dup('c').data().asDouble();
        double[][] v = new double[h * w][c];
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < h * w; p++) {
                v[p][ch] = flat[ch * h * w + p];
            }
        }
        Nmf nmf = Nmf.factorize(v, k, seed, maxIterations, tolerance);
        double[][] wm = nmf.w();
        double[][] hm = nmf.h();
        double[] groupAttr = new double[k];
        if (attribution != null) {
            double[] a = attribution.dup('c').data().asDouble();
            for (int p = 0; p < h * w; p++) {
                for (int ch = 0; ch < c; ch++) {
                    double total = 0;
                    for (int g = 0; g < k; g++) {
                        total += wm[p][g] * hm[g][ch];
                    }
                    if (total <= 0) {
                        continue;
                    }
                    for (int g = 0; g < k; g++) {
                        groupAttr[g] += a[ch * h * w + p] * wm[p][g] * hm[g][ch] / total;
                    }
                }
            }
        }
        INDArray icons = null;
        if (steps > 0) {
            List<Objective> dirs = new ArrayList<>();
            for (int g = 0; g < k; g++) {
                dirs.add(Objectives.direction(layer, hm[g], cosinePower));
            }
            FeatureVisResult r = FeatureVisualization.builder().steps(steps).seed(seed).images(k).logProgress(false)
                    .build().run(model, Objectives.perImage(dirs));
            icons = r.images();
        }
        return new NeuronGroupsResult(h, w, wm, hm, groupAttr, icons, nmf.errors(), nmf.converged());
    }
}
