package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.PinnedTarget;

import org.deeplearning4j.interpret.model.InputSpec;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.progress.ProgressListener;
import org.deeplearning4j.interpret.progress.ProgressTracker;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Occlusion sensitivity: slide a patch over the image, replace it by a baseline, and record how much the target
 * drops: {@code value(x) - value(x with patch occluded)}. Each pixel's attribution is the mean drop over the windows
 * that cover it; a stride larger than the window would leave pixels no window covers (which would read as "nothing
 * matters here"), so it is refused. Positive means "occluding this region lowers the score".
 *
 * <p>The default baseline is a mid-grey patch <em>in the model's own input space</em> (from the model's
 * {@link InputSpec}: pixel range and channel means), avoiding the classic trap of a 127.5 grey on [0, 1] inputs.
 * Perturbed images are evaluated in batches of at most {@code maxBatch} images, so memory stays bounded. The
 * predicted class (if the target uses it) is fixed from the unoccluded image.
 *
 * <p>{@link Builder#incremental()} computes the same map incrementally: the early convolution and pooling layers
 * recompute only the region each patch changes (Nakandala, Kumar &amp; Papakonstantinou, "Incremental and Approximate
 * Inference for Faster Occlusion-based Deep CNN Explanations", SIGMOD 2019, Krypton), with an approximate mode.
 *
 * <p>Zeiler &amp; Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014,
 * <a href="https://arxiv.org/abs/1311.2901">arXiv:1311.2901</a>.
 *
 * <pre>{@code
 * AttributionResult r = Occlusion.builder(model).window(32).stride(16).build()
 *         .attribute(images, Targets.predictedProbability());
 * }</pre>
 */
public final class Occlusion implements Attribution {
    private static final Logger log = LoggerFactory.getLogger(Occlusion.class);

    /** Default window side in pixels. */
    public static final int DEFAULT_WINDOW = 16;
    /** Default stride in pixels (half the window: every pixel is covered by up to four windows). */
    public static final int DEFAULT_STRIDE = 8;

    /** What fills the occluded patch. */
    public enum BaselineKind { GREY, VALUE, IMAGE }

    private final InterpretableModel model;
    private final int windowH;
    private final int windowW;
    private final int strideH;
    private final int strideW;
    private final BaselineKind baselineKind;
    private final double baselineValue;
    private final INDArray baselineImage;
    private final int maxBatch;
    private final ProgressListener progress;
    private final double incremental;
    private final String incrementalThrough;

    private Occlusion(Builder b) {
        this.model = b.model;
        this.windowH = b.windowH;
        this.windowW = b.windowW;
        this.strideH = b.strideH;
        this.strideW = b.strideW;
        this.baselineKind = b.baselineKind;
        this.baselineValue = b.baselineValue;
        this.baselineImage = b.baselineImage;
        this.maxBatch = b.maxBatch > 0 ? b.maxBatch : model.maxBatchSize();
        this.progress = b.progress;
        this.incremental = b.incremental == null ? 0 : b.incremental;
        this.incrementalThrough = b.incrementalThrough;
    }

    /**
     * @param model the model
     * @return occlusion with default options
     */
    public static Occlusion of(InterpretableModel model) {
        return builder(model).build();
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
        return "Occlusion";
    }

    static List<Integer> positions(long size, int window, int stride) {
        List<Integer> p = new ArrayList<>();
        for (int s = 0; s + window <= size; s += stride) {
            p.add(s);
        }
        int last = (int) size - window;
        if (p.isEmpty() || p.get(p.size() - 1) != last) {
            p.add(last); // cover the border even when (size - window) is not a multiple of the stride
        }
        return p;
    }

    @Override
    public AttributionResult attribute(INDArray input, Target target) {
        INDArray x = model.spi().prepareInput(input);
        long n = x.size(0);
        long c = x.size(1);
        long h = x.size(2);
        long w = x.size(3);
        PinnedTarget pinned = PinnedTarget.of(model, x, target);
        if (windowH > h || windowW > w) {
            throw new IllegalArgumentException("Occlusion window " + windowH + "x" + windowW
                    + " is larger than the input " + h + "x" + w + "; choose a smaller window");
        }
        INDArray patch = baselinePatch(x);
        List<Integer> ys = positions(h, windowH, strideH);
        List<Integer> xs = positions(w, windowW, strideW);
        IncrementalOcclusion plan = incremental > 0 ? IncrementalOcclusion.plan(model, x.shape(), ys, xs, windowH, windowW,
                incremental, incrementalThrough, target.layer()) : null;
        Target fixed = pinned.target;
        INDArray originalValues = pinned.values;
        int windows = ys.size() * xs.size();
        ProgressTracker tracker = new ProgressTracker(log, "Occlusion (perturbed images)", n * windows, progress);
        INDArray sum = Nd4j.zeros(x.dataType(), n, h, w);
        INDArray count = Nd4j.zeros(x.dataType(), h, w);
        for (int y : ys) {
            for (int xx : xs) {
                count.get(NDArrayIndex.interval(y, y + windowH), NDArrayIndex.interval(xx, xx + windowW)).addi(1.0);
            }
        }
        for (int i = 0; i < n; i++) {
            Target ti = fixed.slice(i, i + 1);
            INDArray xi = x.get(NDArrayIndex.point(i)).reshape(1, c, h, w);
            double base = originalValues.getDouble(i);
            INDArray[] acts = plan == null ? null : plan.activations(xi);
            INDArray patchI = patch.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.all());
            for (int start = 0; start < windows; start += maxBatch) {
                int end = Math.min(windows, start + maxBatch);
                INDArray vals = plan != null ? plan.values(xi, patchI, acts, ti, start, end)
                        : model.values(occluded(xi, patchI, ys, xs, start, end), ti);
                for (int k = start; k < end; k++) {
                    int y = ys.get(k / xs.size());
                    int xx = xs.get(k % xs.size());
                    sum.get(NDArrayIndex.point(i), NDArrayIndex.interval(y, y + windowH),
                            NDArrayIndex.interval(xx, xx + windowW)).addi(base - vals.getDouble(k - start));
                }
                tracker.advance(end - start);
            }
        }
        INDArray safeCount = count.dup();
        safeCount.addi(count.eq(0.0).castTo(count.dataType())); // uncovered pixels: 0 / 1
        INDArray map = sum;
        for (int i = 0; i < n; i++) {
            map.get(NDArrayIndex.point(i)).divi(safeCount);
        }
        INDArray attr = Nd4j.zeros(x.dataType(), n, c, h, w);
        for (int ch = 0; ch < c; ch++) {
            attr.get(NDArrayIndex.all(), NDArrayIndex.point(ch)).assign(map);
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("window", windowH + "x" + windowW);
        opts.put("stride", strideH + "x" + strideW);
        opts.put("baseline", baselineKind == BaselineKind.VALUE ? "value " + baselineValue : baselineKind.name());
        opts.put("windows", String.valueOf(windows));
        if (incremental > 0) {
            opts.put("incremental", plan == null ? "off (no saving on this model)" : plan.describe());
        }
        return new AttributionResult(name(), fixed.description(), opts, attr, map, originalValues, true);
    }

    /** Windows {@code start..end-1} of one image, each occluded by the patch. */
    private INDArray occluded(INDArray xi, INDArray patchI, List<Integer> ys, List<Integer> xs, int start, int end) {
        long c = xi.size(1);
        long h = xi.size(2);
        long w = xi.size(3);
        INDArray batch = Nd4j.repeat(xi, end - start).reshape(end - start, c, h, w).dup();
        for (int k = start; k < end; k++) {
            int y = ys.get(k / xs.size());
            int xx = xs.get(k % xs.size());
            INDArrayIndex[] idx = {NDArrayIndex.point(k - start), NDArrayIndex.all(),
                    NDArrayIndex.interval(y, y + windowH), NDArrayIndex.interval(xx, xx + windowW)};
            batch.get(idx).assign(patchI.get(NDArrayIndex.point(0), NDArrayIndex.all(),
                    NDArrayIndex.interval(y, y + windowH), NDArrayIndex.interval(xx, xx + windowW)));
        }
        return batch;
    }

    private INDArray baselinePatch(INDArray x) {
        long n = x.size(0);
        long c = x.size(1);
        switch (baselineKind) {
            case VALUE:
                return Nd4j.valueArrayOf(x.shape(), baselineValue, x.dataType());
            case IMAGE: {
                INDArray b = baselineImage.castTo(x.dataType());
                if (b.rank() == 3) {
                    b = b.reshape(1, b.size(0), b.size(1), b.size(2));
                }
                if (b.size(1) != c || b.size(2) != x.size(2) || b.size(3) != x.size(3)
                        || (b.size(0) != 1 && b.size(0) != n)) {
                    throw new IllegalArgumentException("Baseline image shape " + java.util.Arrays.toString(b.shape())
                            + " does not match the input " + java.util.Arrays.toString(x.shape())
                            + "; pass [C,H,W], [1,C,H,W] or one baseline per example");
                }
                return b.size(0) == n ? b.dup() : Nd4j.repeat(b, (int) n).reshape(x.shape()).dup();
            }
            default: {
                InputSpec spec = model.inputSpec();
                INDArray g = Nd4j.zeros(x.dataType(), x.shape());
                for (int ch = 0; ch < c; ch++) {
                    g.get(NDArrayIndex.all(), NDArrayIndex.point(ch)).assign(spec.greyValue(ch));
                }
                return g;
            }
        }
    }

    /** Options; {@link #build()} validates. */
    public static final class Builder {
        private final InterpretableModel model;
        private int windowH = DEFAULT_WINDOW;
        private int windowW = DEFAULT_WINDOW;
        private int strideH = DEFAULT_STRIDE;
        private int strideW = DEFAULT_STRIDE;
        private BaselineKind baselineKind = BaselineKind.GREY;
        private double baselineValue;
        private INDArray baselineImage;
        private int maxBatch = -1;
        private ProgressListener progress;
        private Double incremental;
        private String incrementalThrough;

        private Builder(InterpretableModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
        }

        /**
         * @param size square window side (default {@value #DEFAULT_WINDOW})
         * @return this
         */
        public Builder window(int size) {
            return window(size, size);
        }

        /**
         * @param h window height
         * @param w window width
         * @return this
         */
        public Builder window(int h, int w) {
            this.windowH = h;
            this.windowW = w;
            return this;
        }

        /**
         * @param s stride in both directions (default {@value #DEFAULT_STRIDE})
         * @return this
         */
        public Builder stride(int s) {
            return stride(s, s);
        }

        /**
         * @param h vertical stride
         * @param w horizontal stride
         * @return this
         */
        public Builder stride(int h, int w) {
            this.strideH = h;
            this.strideW = w;
            return this;
        }

        /**
         * @param v fill the patch with this value, in the model's input space
         * @return this
         */
        public Builder baselineValue(double v) {
            this.baselineKind = BaselineKind.VALUE;
            this.baselineValue = v;
            return this;
        }

        /**
         * @param image fill the patch from this image ([C,H,W], [1,C,H,W] or [N,C,H,W])
         * @return this
         */
        public Builder baselineImage(INDArray image) {
            this.baselineKind = BaselineKind.IMAGE;
            this.baselineImage = image == null ? null : image.dup();
            return this;
        }

        /**
         * Fill the patch with mid-grey in the model's input space (the default).
         *
         * @return this
         */
        public Builder greyBaseline() {
            this.baselineKind = BaselineKind.GREY;
            return this;
        }

        /**
         * @param n most perturbed images per forward pass (default: the model's maxBatchSize)
         * @return this
         */
        public Builder maxBatchSize(int n) {
            this.maxBatch = n;
            return this;
        }

        /**
         * Computes the occluded values incrementally (Krypton, Nakandala et al., SIGMOD 2019): each early
         * convolution, pooling and batch-norm layer recomputes only the region the patch changes, on crops, and the
         * rest of the network runs once from there. The same result as plain occlusion (up to floating-point
         * rounding), faster on deep CNNs with small windows (BENCHMARKS.md); when it would save little the plain
         * computation runs (logged, and said in the result's options). DL4J networks on the fast engine whose first
         * layer is a convolution or pooling; others are refused with the reason.
         *
         * @return this
         */
        public Builder incremental() {
            return incremental(1.0);
        }

        /**
         * Incremental computation with Krypton's projective-field threshold: below 1, each layer recomputes at most
         * this fraction of its map's side around the patch and keeps the unoccluded values elsewhere. Faster and
         * approximate (BENCHMARKS.md gives the error on VGG16); 1 is {@link #incremental()}, exact.
         *
         * @param threshold in (0, 1]
         * @return this
         */
        public Builder incremental(double threshold) {
            this.incremental = threshold;
            return this;
        }

        /** Tests: the last layer computed incrementally, instead of the cheapest by multiply-adds. */
        Builder incrementalThrough(String layer) {
            this.incrementalThrough = layer;
            return this;
        }

        /**
         * @param l told after each batch of perturbed images (default: progress is only logged)
         * @return this
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /** @return the method */
        public Occlusion build() {
            if (windowH < 1 || windowW < 1 || strideH < 1 || strideW < 1) {
                throw new IllegalArgumentException("window and stride must be >= 1, got window " + windowH + "x"
                        + windowW + ", stride " + strideH + "x" + strideW);
            }
            if (strideH > windowH || strideW > windowW) {
                throw new IllegalArgumentException("Occlusion stride " + strideH + "x" + strideW + " is larger than "
                        + "the window " + windowH + "x" + windowW + ": pixels between windows would get no score "
                        + "and read as 'nothing matters here'. Use a stride of at most the window (half the window "
                        + "is usual)");
            }
            if (baselineKind == BaselineKind.IMAGE && baselineImage == null) {
                throw new IllegalArgumentException("baselineImage is null");
            }
            if (baselineKind == BaselineKind.VALUE && !Double.isFinite(baselineValue)) {
                throw new IllegalArgumentException("baselineValue must be finite, got " + baselineValue);
            }
            if (incremental != null && !(incremental > 0 && incremental <= 1)) {
                throw new IllegalArgumentException("incremental threshold must be in (0, 1] (1: exact), got "
                        + incremental);
            }
            if (maxBatch == 0 || maxBatch < -1) {
                throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatch);
            }
            return new Occlusion(this);
        }
    }
}
