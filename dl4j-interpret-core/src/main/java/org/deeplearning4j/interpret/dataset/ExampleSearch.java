package org.deeplearning4j.interpret.dataset;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.LayerInfo;
import org.deeplearning4j.interpret.model.ReceptiveField;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Dataset-example search: streams a dataset once, in batches, and keeps for every requested unit the top-k examples
 * (optionally the bottom-k and a seeded random sample for contrast) with the crop of the input each unit sees.
 * Several layers are read in the same forward pass; memory is bounded by k x units (never by the dataset length):
 * while streaming, a kept example's image is stored once and shared by every unit that keeps it, and crops are cut
 * only for the final hits.
 * A channel's value is its maximum (default) or mean over space; its crop is taken at the arg-max position.
 * Ties are broken by the example's position in the stream (the earlier wins), and the random sample is the examples
 * with the smallest seeded hash of that position, so results do not depend on batch boundaries.
 *
 * <p><b>Parts of a dataset.</b> {@link #newState()}, {@link #update} and {@link ExampleSearchState#merge} search
 * parts separately (each example with a global id) and combine them into exactly the state of one search;
 * {@link #result} then cuts the crops from the retained examples' images. {@code dl4j-interpret-spark} runs the
 * parts as Spark partitions.
 *
 * <p>Erhan, Bengio, Courville &amp; Vincent 2009; Zeiler &amp; Fergus 2014 (top-9 patches per channel);
 * Olah, Mordvintsev &amp; Schubert, "Feature Visualization", Distill 2017 (dataset examples beside optimisation).
 *
 * <pre>{@code
 * ExampleSearchResult r = ExampleSearch.builder(model).channels("conv3").k(9).build().search(iterator);
 * r.top(Unit.channel("conv3", 12)).get(0).crop();
 * }</pre>
 */
public final class ExampleSearch {
    private static final Logger log = LoggerFactory.getLogger(ExampleSearch.class);

    /** How a channel is reduced over space. */
    public enum Reduction { MAX, MEAN }

    /** Default number of examples per unit (Zeiler &amp; Fergus show 9). */
    public static final int DEFAULT_K = 9;
    /** Progress is logged every this many batches. */
    private static final int PROGRESS_EVERY = 20;

    private final InterpretableModel model;
    private final List<Unit> units;
    private final int k;
    private final boolean bottom;
    private final int randomCount;
    private final long seed;
    private final long expectedExamples;
    private final org.deeplearning4j.interpret.progress.ProgressListener progress;
    private final Reduction reduction;

    private ExampleSearch(Builder b, List<Unit> units) {
        this.model = b.model;
        this.units = units;
        this.k = b.k;
        this.bottom = b.bottom;
        this.randomCount = b.randomCount;
        this.seed = b.seed;
        this.expectedExamples = b.expectedExamples;
        this.progress = b.progress;
        this.reduction = b.reduction;
    }

    /**
     * @param model the model
     * @return a builder
     */
    public static Builder builder(InterpretableModel model) {
        return new Builder(model);
    }

    /**
     * @param data a DL4J iterator (features are used; labels ignored); reset first if it supports it
     * @return the result
     */
    public ExampleSearchResult search(DataSetIterator data) {
        return search(org.deeplearning4j.interpret.internal.Features.of(data));
    }

    /**
     * @param batches NCHW batches in the model's input space
     * @return the result
     * @throws IllegalArgumentException if the stream is empty
     */
    public ExampleSearchResult search(Iterator<INDArray> batches) {
        ExampleSearchState state = newState();
        // the images of the examples the state retains, and only those: memory is bounded by k x units
        Map<Long, INDArray> images = new HashMap<>();
        long seen = 0;
        int batchCount = 0;
        long started = System.nanoTime();
        org.deeplearning4j.interpret.progress.ProgressTracker tracker = expectedExamples > 0 ? new org.deeplearning4j
                .interpret.progress.ProgressTracker(log, "Example search (examples)", expectedExamples, progress)
                : null;
        while (batches.hasNext()) {
            INDArray x = model.spi().prepareInput(batches.next());
            int n = (int) x.size(0);
            long[] ids = new long[n];
            for (int i = 0; i < n; i++) {
                ids[i] = seen + i;
            }
            offerBatch(state, x, ids);
            Set<Long> retained = state.retainedIds();
            images.keySet().retainAll(retained);
            for (int i = 0; i < n; i++) {
                if (retained.contains(ids[i])) {
                    images.put(ids[i], x.get(NDArrayIndex.point(i)).dup());
                }
            }
            seen += n;
            if (tracker != null) {
                tracker.advance(n);
            } else if (++batchCount % PROGRESS_EVERY == 0) {
                log.info("Example search: {} examples, {} s (give expectedExamples for an ETA)", seen,
                        String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - started) / 1e9));
            }
        }
        if (seen == 0) {
            throw new IllegalArgumentException("The dataset is empty: no examples to search");
        }
        log.info("Example search done: {} examples, {} units", seen, units.size());
        return result(state, images::get);
    }

    /**
     * @return an empty state of this search, for {@link #update} over a part of a dataset and
     *         {@link ExampleSearchState#merge} with the states of the other parts
     */
    public ExampleSearchState newState() {
        return new ExampleSearchState(units, k, bottom, randomCount, seed, reduction);
    }

    /**
     * Searches one batch of a part of a dataset: every example carries its global id (unique across the dataset),
     * which breaks ties and seeds the random sample, so the merged states of the parts equal one search over the
     * whole.
     *
     * @param state a state of this search (changed)
     * @param batch NCHW batch in the model's input space
     * @param ids the global id of each example of the batch
     * @return {@code state}
     * @throws IllegalArgumentException if the state is of another search or the ids do not match the batch
     */
    public ExampleSearchState update(ExampleSearchState state, INDArray batch, long[] ids) {
        if (state == null) {
            throw new IllegalArgumentException("state is null: start from newState()");
        }
        state.checkCompatible(newState());
        if (ids == null || batch == null || ids.length != batch.size(0)) {
            throw new IllegalArgumentException("Expected one id per example: batch of "
                    + (batch == null ? "null" : String.valueOf(batch.size(0))) + " examples, "
                    + (ids == null ? "null" : String.valueOf(ids.length)) + " ids");
        }
        offerBatch(state, model.spi().prepareInput(batch), ids);
        return state;
    }

    private void offerBatch(ExampleSearchState state, INDArray x, long[] ids) {
        String[] layers = new LinkedHashSet<>(units.stream().map(Unit::layer).toList()).toArray(new String[0]);
        Map<String, INDArray> acts = model.activations(x, layers);
        int n = (int) x.size(0);
        for (String layer : layers) {
            Values v = new Values(acts.get(layer), reduction);
            for (int u = 0; u < units.size(); u++) {
                Unit unit = units.get(u);
                if (!unit.layer().equals(layer)) {
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    int[] pos = v.position(unit, i);
                    state.offer(u, v.value(unit, i), ids[i], pos[0], pos[1]);
                }
            }
        }
        state.countExamples(n);
    }

    /**
     * Cuts the crops of a finished state.
     *
     * @param state the state of the whole dataset (e.g. merged from parts)
     * @param images the image {@code [C, H, W]} of a retained example by id, in the model's input space (only the
     *               ids of {@link ExampleSearchState#retainedIds()} are asked for)
     * @return the result
     * @throws IllegalArgumentException if the state is of another search, is empty, or an image is missing
     */
    public ExampleSearchResult result(ExampleSearchState state, LongFunction<INDArray> images) {
        state.checkCompatible(newState());
        if (state.examples() == 0) {
            throw new IllegalArgumentException("The dataset is empty: no examples to search");
        }
        Map<Unit, List<Hit>> top = new LinkedHashMap<>();
        Map<Unit, List<Hit>> bot = new LinkedHashMap<>();
        Map<Unit, List<Hit>> rnd = new LinkedHashMap<>();
        Map<String, ReceptiveField> fields = new HashMap<>();
        for (int u = 0; u < units.size(); u++) {
            Unit unit = units.get(u);
            top.put(unit, toHits(state.top(u), unit, fields, images));
            bot.put(unit, toHits(state.bottom(u), unit, fields, images));
            rnd.put(unit, toHits(state.sample(u), unit, fields, images));
        }
        Map<String, String> opts = new LinkedHashMap<>();
        opts.put("k", String.valueOf(k));
        opts.put("reduction", reduction.name());
        opts.put("bottom", String.valueOf(bottom));
        opts.put("random", String.valueOf(randomCount));
        opts.put("seed", String.valueOf(seed));
        return new ExampleSearchResult(top, bot, rnd, state.examples(), opts);
    }

    private List<Hit> toHits(List<ExampleSearchState.Entry> entries, Unit u, Map<String, ReceptiveField> fields,
            LongFunction<INDArray> images) {
        List<Hit> hits = new ArrayList<>();
        java.util.Set<Long> distinct = new java.util.HashSet<>();
        for (ExampleSearchState.Entry e : entries) {
            if (!distinct.add(e.id())) {
                throw new IllegalArgumentException("Example id " + e.id() + " was searched more than once (unit " + u
                        + "): the ids of the parts of a dataset must be unique");
            }
            INDArray image = images.apply(e.id());
            if (image == null || image.rank() != 3) {
                throw new IllegalArgumentException("No image [C, H, W] for retained example id " + e.id() + " (got "
                        + (image == null ? "null" : java.util.Arrays.toString(image.shape())) + ")");
            }
            long h = image.size(1);
            long w = image.size(2);
            ReceptiveField f = fields.computeIfAbsent(u.layer() + "|" + e.y() + "|" + e.x(),
                    key -> model.receptiveField(u.layer(), e.y(), e.x()).clip(h, w));
            // a view: the crop shares the example's image with every other hit on that example
            INDArray crop = image.get(NDArrayIndex.all(), NDArrayIndex.interval(f.top(), f.top() + f.height()),
                    NDArrayIndex.interval(f.left(), f.left() + f.width()));
            hits.add(new Hit(e.id(), e.value(), e.y(), e.x(), f, crop));
        }
        return hits;
    }

    /** Per-batch unit values and arg-max positions, copied to Java arrays once per layer. */
    private static final class Values {
        final INDArray act;
        final double[][] channel;
        final int[][] argmax;
        final long w;

        Values(INDArray a, Reduction reduction) {
            this.act = a;
            if (a.rank() == 4) {
                long n = a.size(0);
                long c = a.size(1);
                INDArray flat = a.reshape(n, c, a.size(2) * a.size(3));
                this.channel = (reduction == Reduction.MAX ? flat.max(2) : flat.mean(2)).toDoubleMatrix();
                this.argmax = Nd4j.argMax(flat, 2).toIntMatrix();
                this.w = a.size(3);
            } else {
                this.channel = a.toDoubleMatrix();
                this.argmax = null;
                this.w = 1;
            }
        }

        double value(Unit u, int i) {
            return u.isNeuron() ? act.getDouble(i, u.channel(), u.y(), u.x()) : channel[i][u.channel()];
        }

        int[] position(Unit u, int i) {
            if (u.isNeuron()) {
                return new int[] {u.y(), u.x()};
            }
            if (argmax == null) {
                return new int[] {0, 0};
            }
            int p = argmax[i][u.channel()];
            return new int[] {(int) (p / w), (int) (p % w)};
        }
    }

    /** Options; {@link #build()} validates units against the model's layers. */
    public static final class Builder {
        private final InterpretableModel model;
        private final List<Unit> units = new ArrayList<>();
        private final List<String> allChannels = new ArrayList<>();
        private int k = DEFAULT_K;
        private boolean bottom;
        private int randomCount;
        private long seed = 12345L;
        private long expectedExamples;
        private org.deeplearning4j.interpret.progress.ProgressListener progress;
        private Reduction reduction = Reduction.MAX;

        private Builder(InterpretableModel model) {
            if (model == null) {
                throw new IllegalArgumentException("model is null");
            }
            this.model = model;
        }

        /**
         * @param layer a layer whose every channel is searched
         * @return this
         */
        public Builder channels(String layer) {
            allChannels.add(layer);
            return this;
        }

        /**
         * @param layer layer
         * @param channels channel indices
         * @return this
         */
        public Builder channels(String layer, int... channels) {
            for (int c : channels) {
                units.add(Unit.channel(layer, c));
            }
            return this;
        }

        /**
         * @param u units (channels or neurons)
         * @return this
         */
        public Builder units(Unit... u) {
            units.addAll(Arrays.asList(u));
            return this;
        }

        /**
         * @param k examples kept per unit (default {@value #DEFAULT_K})
         * @return this
         */
        public Builder k(int k) {
            this.k = k;
            return this;
        }

        /**
         * @param keep also keep the k lowest (most negative) examples
         * @return this
         */
        public Builder bottom(boolean keep) {
            this.bottom = keep;
            return this;
        }

        /**
         * @param n size of a seeded random sample kept per unit, for contrast
         * @return this
         */
        public Builder randomSample(int n) {
            this.randomCount = n;
            return this;
        }

        /**
         * @param s seed of the random sample
         * @return this
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * @param r channel reduction over space (default MAX)
         * @return this
         */
        public Builder reduction(Reduction r) {
            this.reduction = r;
            return this;
        }

        /**
         * @param l told after each batch
         * @param expected how many examples the data holds (the total for the fraction and the ETA; a search over
         *                 more examples stops counting at 100%)
         * @return this
         */
        public Builder progress(org.deeplearning4j.interpret.progress.ProgressListener l, long expected) {
            if (expected < 1) {
                throw new IllegalArgumentException("expected examples must be >= 1, got " + expected);
            }
            this.progress = l;
            this.expectedExamples = expected;
            return this;
        }

        /** @return the search */
        public ExampleSearch build() {
            if (k <= 0) {
                throw new IllegalArgumentException("k must be >= 1, got " + k);
            }
            if (randomCount < 0) {
                throw new IllegalArgumentException("randomSample must be >= 0, got " + randomCount);
            }
            if (reduction == null) {
                throw new IllegalArgumentException("reduction must not be null");
            }
            List<Unit> all = new ArrayList<>();
            for (String layer : allChannels) {
                LayerInfo info = model.layer(layer);
                for (int c = 0; c < info.channels(); c++) {
                    all.add(Unit.channel(layer, c));
                }
            }
            all.addAll(units);
            if (all.isEmpty()) {
                throw new IllegalArgumentException("No units requested: call channels(...) or units(...)");
            }
            for (Unit u : all) {
                LayerInfo info = model.layer(u.layer());
                long[] s = info.outputShape();
                if (s == null) {
                    throw new IllegalStateException("Layer shapes are unknown: pass an InputSpec with the input size");
                }
                if (u.channel() < 0 || u.channel() >= s[0]) {
                    throw new IllegalArgumentException("Channel " + u.channel() + " is outside layer '" + u.layer()
                            + "' with " + s[0] + " channels (valid 0.." + (s[0] - 1) + ")");
                }
                if (u.isNeuron() && (s.length != 3 || u.y() >= s[1] || u.x() >= s[2])) {
                    throw new IllegalArgumentException("Neuron " + u + " is outside layer '" + u.layer()
                            + "' of shape " + Arrays.toString(s));
                }
            }
            return new ExampleSearch(this, List.copyOf(new LinkedHashSet<>(all)));
        }
    }
}
