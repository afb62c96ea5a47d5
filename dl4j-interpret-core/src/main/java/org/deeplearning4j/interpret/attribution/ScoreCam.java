package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressListener;
import org.deeplearning4j.interpret.progress.ProgressTracker;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Score-CAM, a gradient-free CAM: each channel of a convolutional layer is upsampled to the input size, min-max
 * normalised to [0, 1] and used as a mask on the input; the target's score on the masked input (relative to a
 * baseline input) weights the channel, the weights are soft-maxed over channels as in the paper's algorithm, and
 * {@code cam = relu(sum_k w_k A_k)}. One forward pass per channel, batched. Use a probability target, as the paper
 * does.
 *
 * <p>Wang et al., "Score-CAM: Score-Weighted Visual Explanations for Convolutional Neural Networks", CVPR-W 2020,
 * <a href="https://arxiv.org/abs/1910.01279">arXiv:1910.01279</a>.
 *
 * <pre>{@code
 * AttributionResult r = ScoreCam.builder(model).build().attribute(images, Targets.predictedProbability());
 * }</pre>
 */
public final class ScoreCam implements Attribution {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ScoreCam.class);
    private final InterpretableModel model;
    private final String layer;
    private final int maxBatch;
    private final ProgressListener progress;

    private ScoreCam(Builder b) {
        this.model = b.model;
        this.layer = b.layer;
        this.maxBatch = b.maxBatch > 0 ? b.maxBatch : model.maxBatchSize();
        this.progress = b.progress;
    }

    /**
     * @param model the model
     * @return a builder
     */
    public static Builder builder(InterpretableModel model) {
        return new Builder(model);
    }

    @Override
    public String name() {
        return "ScoreCAM";
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        String l = CamLayers.resolve(model, layer);
        String tl = target.layer() == null ? model.outputLayer() : target.layer();
        target.validateBatch(x.size(0));
        Map<String, INDArray> acts = model.activations(x, l, tl);
        INDArray a = acts.get(l);
        CamLayers.checkSpatial(l, a);
        target.validate(tl, acts.get(tl).shape());
        Target fixed = target.fixedFor(acts.get(tl));
        INDArray values = fixed.value(acts.get(tl));
        long n = x.size(0);
        long k = a.size(1);
        long[] one = {1, x.size(1), x.size(2), x.size(3)};
        INDArray baseline = Baselines.zeros().create(x, model);
        INDArray baseValues = model.values(baseline, fixed);
        INDArray weights = Nd4j.zeros(x.dataType(), n, k);
        ProgressTracker tracker = new ProgressTracker(log, "Score-CAM (masked images)", n * k, progress);
        for (int i = 0; i < n; i++) {
            INDArray xi = x.get(NDArrayIndex.point(i)).reshape(one);
            Target ti = fixed.slice(i, i + 1);
            for (int start = 0; start < k; start += maxBatch) {
                int end = (int) Math.min(k, start + maxBatch);
                // upsample only this chunk's channels: the arrays held at once do not grow with the layer's width
                INDArray up = org.deeplearning4j.interpret.internal.Resize.bilinear(a.get(NDArrayIndex.point(i),
                        NDArrayIndex.interval(start, end)), x.size(2), x.size(3));
                INDArray batch = Nd4j.create(x.dataType(), end - start, one[1], one[2], one[3]);
                for (int c = start; c < end; c++) {
                    INDArray m = up.get(NDArrayIndex.point(c - start));
                    double lo = m.minNumber().doubleValue();
                    double hi = m.maxNumber().doubleValue();
                    INDArray mask = hi > lo ? m.sub(lo).divi(hi - lo) : Nd4j.zerosLike(m);
                    INDArray masked = batch.get(NDArrayIndex.point(c - start));
                    for (int ch = 0; ch < one[1]; ch++) {
                        masked.get(NDArrayIndex.point(ch)).assign(xi.get(NDArrayIndex.point(0), NDArrayIndex.point(ch))
                                .mul(mask));
                    }
                }
                INDArray scores = model.values(batch, ti).subi(baseValues.getDouble(i));
                weights.get(NDArrayIndex.point(i), NDArrayIndex.interval(start, end)).assign(scores);
                tracker.advance(end - start);
            }
        }
        weights = Transforms.softmax(weights, true);
        INDArray cam = Transforms.relu(CamLayers.weightedSum(a, weights), false);
        INDArray[] upCam = CamLayers.toInputSpace(cam, x);
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("layer", l);
        opts.put("channels", String.valueOf(k));
        return new AttributionResult(name(), fixed.description(), opts, upCam[0], upCam[1], values, false);
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private String layer;
        private int maxBatch = -1;
        private ProgressListener progress;

        private Builder(InterpretableModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
        }

        /**
         * @param name convolutional layer (default: the last spatial layer)
         * @return this
         */
        public Builder layer(String name) {
            this.layer = name;
            return this;
        }

        /**
         * @param n most masked images per forward pass (default: the model's maxBatchSize)
         * @return this
         */
        public Builder maxBatchSize(int n) {
            this.maxBatch = n;
            return this;
        }

        /**
         * @param l told after each batch of masked images (default: progress is only logged)
         * @return this
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /** @return the method */
        public ScoreCam build() {
            if (maxBatch == 0 || maxBatch < -1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatch);
            }
            CamLayers.resolve(model, layer);
            return new ScoreCam(this);
        }
    }
}
