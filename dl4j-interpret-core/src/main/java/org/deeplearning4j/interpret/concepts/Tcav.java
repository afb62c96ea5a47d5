package org.deeplearning4j.interpret.concepts;

import org.apache.commons.math3.distribution.TDistribution;
import org.deeplearning4j.interpret.internal.PinnedTarget;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressListener;
import org.deeplearning4j.interpret.progress.ProgressTracker;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Testing with concept activation vectors (TCAV): how much a human concept (given by example images) matters for a
 * class, at a layer. For each concept and each random set, a linear classifier separates the concept's activations
 * from the random set's; its normal, pointing to the concept, is the CAV. The TCAV score is the fraction of the
 * class's images whose target increases along the CAV (positive directional derivative of the target with respect
 * to the layer's activation). CAVs are trained against every random set, and the concept's score is their mean.
 * The scores expected by chance come from the random sets themselves: each, taken as a concept, is trained against
 * each of the others, and its mean score is what a concept made of random images gets, the bias of a fixed set of
 * images included. A two-sided Student t test says whether the concept's mean is an outlier among those random
 * means (prediction interval, {@code k - 1} degrees of freedom for {@code k} random sets); testing the repetitions'
 * scores themselves, as the original implementation does, lets fixed sets of random images through far more often
 * than alpha (observed: 3 of 6 random concepts on the shapes CNN).
 *
 * <p>All checks (layer, images, sets, target) run before any activation is computed; activations and gradients are
 * computed in chunks of the model's batch size; the classifiers are deterministic.
 *
 * <p>Kim, Wattenberg, Gilmer, Cai, Wexler, Viegas &amp; Sayres, "Interpretability Beyond Feature Attribution:
 * Quantitative Testing with Concept Activation Vectors (TCAV)", ICML 2018,
 * <a href="https://arxiv.org/abs/1711.11279">arXiv:1711.11279</a>.
 *
 * <pre>{@code
 * TcavResult r = Tcav.builder(model).layer("relu2").build()
 *         .test(zebraImages, Targets.logit(zebra), Map.of("striped", stripes, "dotted", dots), randomSets);
 * r.concept("striped").significant();
 * }</pre>
 */
public final class Tcav {
    private static final Logger log = LoggerFactory.getLogger(Tcav.class);
    /** Default significance level. */
    public static final double DEFAULT_ALPHA = 0.05;

    private final InterpretableModel model;
    private final String layer;
    private final double alpha;
    private final ProgressListener progress;

    private Tcav(Builder b) {
        this.model = b.model;
        this.layer = b.layer;
        this.alpha = b.alpha;
        this.progress = b.progress;
    }

    /**
     * @param model the model
     * @return a builder (the layer is required)
     */
    public static Builder builder(InterpretableModel model) {
        return new Builder(model);
    }

    /**
     * @param classImages images of the class being explained, NCHW in the model's input space
     * @param target the class (e.g. {@code Targets.logit(c)}); a predicted-class target is pinned per image
     * @param concepts concept name to its example images (at least 2 each)
     * @param randomSets at least 3 sets of random images (at least 2 each); every concept is trained once against
     *        each, and each is also taken as a random concept against the others
     * @return every concept's scores and significance
     */
    public TcavResult test(INDArray classImages, Target target, Map<String, INDArray> concepts,
            List<INDArray> randomSets) {
        if (concepts == null || concepts.isEmpty()) {
            throw new IllegalArgumentException("give at least one concept (name -> example images)");
        }
        if (randomSets == null || randomSets.size() < 3) {
            throw new IllegalArgumentException("give at least 3 random sets (the paper uses tens to hundreds), got "
                    + (randomSets == null ? 0 : randomSets.size()));
        }
        INDArray x = model.spi().prepareInput(classImages);
        Map<String, INDArray> conceptInputs = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : concepts.entrySet()) {
            conceptInputs.put(e.getKey(), checkedSet("concept '" + e.getKey() + "'", e.getValue()));
        }
        List<INDArray> randomInputs = new ArrayList<>();
        for (int i = 0; i < randomSets.size(); i++) {
            randomInputs.add(checkedSet("random set " + i, randomSets.get(i)));
        }
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        int k = randomInputs.size();
        ProgressTracker tracker = new ProgressTracker(log, "TCAV at " + layer + " (concept activation vectors)",
                (long) concepts.size() + k, progress);
        double[][] gradients = flatGradients(x, pinned.target);
        List<double[][]> randomActs = new ArrayList<>();
        for (INDArray r : randomInputs) {
            randomActs.add(flatActivations(r));
        }
        // the null: every random set taken as a concept against each of the others; its mean score is what a
        // concept made of random images gets, its own set-level bias included
        double[] randomScores = new double[k];
        for (int j = 0; j < k; j++) {
            double sum = 0;
            for (int i = 0; i < k; i++) {
                if (i != j) {
                    sum += score(gradients, ConceptVector.fit(randomActs.get(j), randomActs.get(i)));
                }
            }
            randomScores[j] = sum / (k - 1);
            tracker.advance(1);
        }
        List<ConceptScore> out = new ArrayList<>();
        for (Map.Entry<String, INDArray> e : conceptInputs.entrySet()) {
            double[][] acts = flatActivations(e.getValue());
            double[] scores = new double[k];
            double[] accuracies = new double[k];
            for (int i = 0; i < k; i++) {
                ConceptVector cav = ConceptVector.fit(acts, randomActs.get(i));
                scores[i] = score(gradients, cav);
                accuracies[i] = cav.accuracy();
            }
            tracker.advance(1);
            double p = pValue(scores, randomScores);
            out.add(new ConceptScore(e.getKey(), scores, accuracies, p, p < alpha));
        }
        return new TcavResult(layer, pinned.target.description(), alpha, (int) x.size(0), out, randomScores);
    }

    private INDArray checkedSet(String what, INDArray images) {
        if (images == null || images.rank() != 4 || images.size(0) < 2) {
            throw new IllegalArgumentException(what + " needs at least 2 images as an NCHW batch, got "
                    + (images == null ? "null" : java.util.Arrays.toString(images.shape())));
        }
        return model.spi().prepareInput(images);
    }

    private double[][] flatActivations(INDArray images) {
        int n = (int) images.size(0);
        double[][] rows = new double[n][];
        for (int s = 0; s < n; s += model.maxBatchSize()) {
            int e = Math.min(n, s + model.maxBatchSize());
            INDArray a = model.activations(images.get(NDArrayIndex.interval(s, e)), layer).get(layer);
            copyRows(a, rows, s);
        }
        return rows;
    }

    private double[][] flatGradients(INDArray x, Target target) {
        int n = (int) x.size(0);
        double[][] rows = new double[n][];
        for (int s = 0; s < n; s += model.maxBatchSize()) {
            int e = Math.min(n, s + model.maxBatchSize());
            INDArray g = model.layerGradient(x.get(NDArrayIndex.interval(s, e)), target.slice(s, e), layer)
                    .gradient();
            copyRows(g, rows, s);
        }
        return rows;
    }

    private static void copyRows(INDArray a, double[][] rows, int offset) {
        INDArray flat = a.castTo(DataType.DOUBLE).reshape(a.size(0), a.length() / a.size(0));
        for (int i = 0; i < flat.size(0); i++) {
            rows[offset + i] = flat.getRow(i).toDoubleVector();
        }
    }

    /** The fraction of class images whose target grows along the CAV. */
    private static double score(double[][] gradients, ConceptVector cav) {
        double[] v = cav.direction();
        int positive = 0;
        for (double[] g : gradients) {
            double s = 0;
            for (int j = 0; j < v.length; j++) {
                s += g[j] * v[j];
            }
            positive += s > 0 ? 1 : 0;
        }
        return positive / (double) gradients.length;
    }

    /**
     * Two-sided test of whether a concept's mean score is an outlier among the random concepts' mean scores: Student's
     * t prediction interval, {@code t = (m - mean) / (sd sqrt(1 + 1/k))} with {@code k - 1} degrees of freedom.
     * Constant random means: the p-value is 1 for the same mean, 0 otherwise.
     */
    static double pValue(double[] scores, double[] randomMeans) {
        double m = java.util.Arrays.stream(scores).average().orElse(Double.NaN);
        int k = randomMeans.length;
        double mean = java.util.Arrays.stream(randomMeans).average().orElse(Double.NaN);
        double sd = Math.sqrt(sumOfSquares(randomMeans) / (k - 1));
        if (sd == 0) {
            return m == mean ? 1.0 : 0.0;
        }
        double t = Math.abs(m - mean) / (sd * Math.sqrt(1 + 1.0 / k));
        return 2 * (1 - new TDistribution(k - 1).cumulativeProbability(t));
    }

    /** @return the sum of squared deviations from the mean */
    private static double sumOfSquares(double[] a) {
        double m = java.util.Arrays.stream(a).average().orElse(0);
        return java.util.Arrays.stream(a).map(v -> (v - m) * (v - m)).sum();
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private String layer;
        private double alpha = DEFAULT_ALPHA;
        private ProgressListener progress;

        private Builder(InterpretableModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
        }

        /**
         * @param name the layer whose activations the CAVs live in (required)
         * @return this
         */
        public Builder layer(String name) {
            this.layer = name;
            return this;
        }

        /**
         * @param a significance level of the t-test (default {@value #DEFAULT_ALPHA})
         * @return this
         */
        public Builder alpha(double a) {
            this.alpha = a;
            return this;
        }

        /**
         * @param l told after each CAV (default: progress is only logged)
         * @return this
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /** @return the test */
        public Tcav build() {
            if (layer == null) {
                throw new IllegalArgumentException("TCAV needs a layer: .layer(name); layers: "
                        + model.layers().stream().map(org.deeplearning4j.interpret.model.LayerInfo::name).toList());
            }
            model.layer(layer); // unknown names are refused here, listing the valid ones
            if (!(alpha > 0 && alpha < 1)) {
                throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
            }
            return new Tcav(this);
        }
    }
}
