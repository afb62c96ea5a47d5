package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.InterpretException;
import org.deeplearning4j.interpret.internal.engine.GradientEngine;
import org.deeplearning4j.interpret.internal.engine.InputPass;
import org.deeplearning4j.interpret.internal.engine.LayerPass;
import org.deeplearning4j.interpret.gradient.ReluRule;
import org.deeplearning4j.interpret.internal.engine.RuleWalker;
import org.deeplearning4j.interpret.internal.engine.Seed;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.LoggerFactory;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The one implementation of the adapter's work, whatever the model type: input validation, layer-name resolution,
 * chunking into at most {@link #maxBatchSize()} examples, target slicing, the seed policy (a forward pass only when
 * a seed depends on the activations; affine seeds completed inside the pass where the engine can) and the
 * concatenation of results. Backends (DL4J networks, SameDiff graphs) supply only what depends on the graph: an
 * engine per call ({@link #engine()}), name lookup ({@link #resolve(String)}), the layer list and the rest of the
 * {@link InterpretableModel} methods that describe the model.
 */
abstract class EngineModel implements InterpretableModel, ModelSpi {
    /** Warns once when inputs look like another scale than the spec's. */
    private final InputChecks.RangeWatch rangeWatch = new InputChecks.RangeWatch();
    /** The array {@link #prepareInput} returned last on each thread (a private copy in the model's data type). */
    private final ThreadLocal<WeakReference<INDArray>> lastPrepared = new ThreadLocal<>();

    /** @return the engine for the next call (backends rebind it when the parameters were replaced) */
    abstract GradientEngine engine();

    /**
     * @param layer a layer name, or null for the output layer
     * @return the engine's name of the layer
     * @throws IllegalArgumentException listing the valid names
     */
    abstract String resolve(String layer);

    @Override
    public ModelSpi spi() {
        return this;
    }

    @Override
    public InterpretableModel model() {
        return this;
    }

    @Override
    public INDArray prepareInput(INDArray input) {
        // a method prepares its input and then calls the model with that array: it is checked again (the caller may
        // have changed it) but not copied again (a copy touched fresh native memory, milliseconds per image on a VM)
        WeakReference<INDArray> last = lastPrepared.get();
        boolean ours = input != null && last != null && last.get() == input;
        INDArray x = InputChecks.prepare(inputSpec(), dataType(), input, !ours);
        rangeWatch.check(inputSpec(), x, LoggerFactory.getLogger(getClass()));
        if (!ours) {
            lastPrepared.set(new WeakReference<>(x));
        }
        return x;
    }

    @Override
    public INDArray logits(INDArray input) {
        String l = resolve(outputLayer());
        return activations(input, l).get(l);
    }

    @Override
    public Map<String, INDArray> activations(INDArray input, String... layerNames) {
        List<String> names = new ArrayList<>();
        for (String l : layerNames) {
            names.add(resolve(l));
        }
        INDArray x = prepareInput(input);
        GradientEngine e = engine();
        Map<String, List<INDArray>> parts = new LinkedHashMap<>();
        names.forEach(n -> parts.put(n, new ArrayList<>()));
        forEachChunk(x, (from, chunk) -> {
            Map<String, INDArray> acts = guard(() -> e.forward(chunk, names), chunk);
            names.forEach(n -> parts.get(n).add(acts.get(n)));
        });
        Map<String, INDArray> out = new LinkedHashMap<>();
        parts.forEach((k, v) -> out.put(k, Batches.concat(v)));
        return out;
    }

    @Override
    public INDArray values(INDArray input, Target target) {
        String layer = resolve(target.layer());
        INDArray x = prepareInput(input);
        target.validateBatch(x.size(0));
        GradientEngine e = engine();
        List<INDArray> vals = new ArrayList<>();
        forEachChunk(x, (from, chunk) -> {
            INDArray act = guard(() -> e.forward(chunk, List.of(layer)), chunk).get(layer);
            Target t = slice(target, from, chunk);
            t.validate(layer, act.shape());
            vals.add(t.value(act));
        });
        return Batches.concat(vals);
    }

    @Override
    public ObjectiveGradient gradient(INDArray input, Target target, ReluRule rule) {
        String layer = resolve(target.layer());
        INDArray x = prepareInput(input);
        target.validateBatch(x.size(0));
        GradientEngine e = engine();
        long[] shape = knownShape(layer);
        List<INDArray> vals = new ArrayList<>();
        List<INDArray> grads = new ArrayList<>();
        forEachChunk(x, (from, chunk) -> {
            Target t = slice(target, from, chunk);
            INDArray s = seed(t, layer, shape, chunk, () -> e.forward(chunk, List.of(layer)).get(layer));
            InputPass r = guard(() -> e.inputGradient(chunk, List.of(Seed.constant(layer, s)), rule), chunk);
            vals.add(t.value(r.activations().get(layer)));
            grads.add(r.gradient());
        });
        return new ObjectiveGradient(Batches.concat(vals), Batches.concat(grads));
    }

    @Override
    public InputPass backward(INDArray input, List<Seed> seeds, ReluRule rule) {
        if (seeds == null || seeds.isEmpty()) {
            throw new IllegalArgumentException("backward needs at least one seed");
        }
        INDArray x = prepareInput(input);
        List<String> names = new ArrayList<>();
        for (Seed s : seeds) {
            String l = resolve(s.layer());
            if (names.contains(l)) {
                throw new IllegalArgumentException("Two seeds at layer '" + l + "'; add them into one");
            }
            names.add(l);
        }
        // the activation shapes: known for the spec's size, else from one example (checked before any pass)
        Map<String, long[]> shapes = new LinkedHashMap<>();
        names.forEach(l -> shapes.put(l, knownShape(l)));
        if (shapes.containsValue(null)) {
            activations(Batches.chunk(x, 0, 1), names.toArray(new String[0]))
                    .forEach((l, a) -> shapes.put(l, a.shape()));
        }
        List<Seed> resolved = new ArrayList<>();
        for (int i = 0; i < seeds.size(); i++) {
            Seed s = seeds.get(i);
            String l = names.get(i);
            long[] expected = shapes.get(l).clone();
            expected[0] = x.size(0);
            if (s.offset() == null || !Arrays.equals(expected, s.offset().shape())) {
                throw new IllegalArgumentException("The seed at layer '" + l + "' must be shaped like the layer's "
                        + "activation for the batch, " + Arrays.toString(expected) + "; got "
                        + (s.offset() == null ? "null" : Arrays.toString(s.offset().shape())));
            }
            resolved.add(new Seed(l, s.offset().castTo(dataType()), s.scale()));
        }
        GradientEngine e = engine();
        if (!e.affineSeeds() && resolved.stream().anyMatch(Seed::affine)) {
            // this engine cannot complete affine seeds inside the pass: a forward pass first (in chunks)
            Map<String, INDArray> acts = activations(x, resolved.stream().map(Seed::layer).toArray(String[]::new));
            List<Seed> constant = new ArrayList<>();
            for (Seed s : resolved) {
                constant.add(Seed.constant(s.layer(), s.affine() ? acts.get(s.layer()).mul(s.scale()).addi(s.offset())
                        : s.offset()));
            }
            resolved = constant;
        }
        List<Seed> all = resolved;
        Map<String, List<INDArray>> actParts = new LinkedHashMap<>();
        List<INDArray> grads = new ArrayList<>();
        forEachChunk(x, (from, chunk) -> {
            List<Seed> chunkSeeds = new ArrayList<>();
            for (Seed s : all) {
                chunkSeeds.add(new Seed(s.layer(), Batches.chunk(s.offset(), from, maxBatchSize()), s.scale()));
            }
            InputPass r = guard(() -> e.inputGradient(chunk, chunkSeeds, rule), chunk);
            all.forEach(s -> actParts.computeIfAbsent(s.layer(), k -> new ArrayList<>())
                    .add(r.activations().get(s.layer())));
            grads.add(r.gradient());
        });
        Map<String, INDArray> acts = new LinkedHashMap<>();
        actParts.forEach((k, v) -> acts.put(k, Batches.concat(v)));
        return new InputPass(acts, Batches.concat(grads));
    }

    @Override
    public LayerGradient layerGradient(INDArray input, Target target, String layer, INDArray override,
            ReluRule rule) {
        String tl = resolve(target.layer());
        String wl = resolve(layer);
        INDArray x = prepareInput(input);
        target.validateBatch(x.size(0));
        InputChecks.override(x, wl, layer(wl).outputShape(), override, dataType());
        GradientEngine e = engine();
        long[] targetShape = knownShape(tl);
        List<INDArray> vals = new ArrayList<>();
        List<INDArray> acts = new ArrayList<>();
        List<INDArray> grads = new ArrayList<>();
        forEachChunk(x, (from, chunk) -> {
            INDArray ov = override == null ? null : Batches.chunk(override, from, maxBatchSize());
            Target t = slice(target, from, chunk);
            INDArray seed = seed(t, tl, targetShape, chunk, () -> (ov == null ? e.forward(chunk, List.of(tl))
                    : e.forward(chunk, List.of(tl), wl, ov)).get(tl));
            LayerPass r = guard(() -> e.layerGradient(chunk, tl, seed, wl, ov, rule), chunk);
            vals.add(t.value(r.activation()));
            acts.add(r.wrtActivation());
            grads.add(r.gradient());
        });
        return new LayerGradient(Batches.concat(vals), Batches.concat(acts), Batches.concat(grads));
    }

    @Override
    public INDArray values(INDArray input, Target target, String layer, INDArray override) {
        String tl = resolve(target.layer());
        String wl = resolve(layer);
        INDArray x = prepareInput(input);
        target.validateBatch(x.size(0));
        if (override == null) {
            throw new IllegalArgumentException("override is null; use values(input, target) without an override");
        }
        InputChecks.override(x, wl, layer(wl).outputShape(), override, dataType());
        GradientEngine e = engine();
        List<INDArray> vals = new ArrayList<>();
        forEachChunk(x, (from, chunk) -> {
            INDArray ov = Batches.chunk(override, from, maxBatchSize());
            INDArray act = guard(() -> e.forward(chunk, List.of(tl), wl, ov), chunk).get(tl);
            Target t = slice(target, from, chunk);
            t.validate(tl, act.shape());
            vals.add(t.value(act));
        });
        return Batches.concat(vals);
    }

    /** One chunk of a propagation-rule method (LRP, DeepLIFT): its walk for the chunk's target. */
    interface ChunkWalk {
        /**
         * @param chunk the chunk's inputs
         * @param reference the chunk's references (null for methods without one)
         * @param target the target sliced to the chunk
         * @param layer the target's layer, resolved
         * @return the chunk's walk
         */
        RuleWalker.Walk run(INDArray chunk, INDArray reference, Target target, String layer);
    }

    /**
     * Runs a propagation-rule method chunk by chunk and concatenates the walks.
     *
     * @param input the batch
     * @param reference the references (shaped like the input), or null
     * @param needsReference whether the method needs references (a null one is refused)
     * @param target the target
     * @param walk one chunk's walk
     * @return the whole batch's walk
     */
    final RuleWalker.Walk walk(INDArray input, INDArray reference, boolean needsReference, Target target,
            ChunkWalk walk) {
        if (needsReference && reference == null) {
            throw new IllegalArgumentException("reference is null");
        }
        INDArray x = prepareInput(input);
        INDArray ref = reference == null ? null : InputChecks.reference(x, reference);
        target.validateBatch(x.size(0));
        String layer = resolve(target.layer());
        List<INDArray> attr = new ArrayList<>();
        List<INDArray> vals = new ArrayList<>();
        List<INDArray> refVals = new ArrayList<>();
        forEachChunk(x, (from, chunk) -> {
            INDArray refChunk = ref == null ? null : Batches.chunk(ref, from, maxBatchSize());
            RuleWalker.Walk r = walk.run(chunk, refChunk, slice(target, from, chunk), layer);
            attr.add(r.attributions);
            vals.add(r.values);
            if (r.referenceValues != null) {
                refVals.add(r.referenceValues);
            }
        });
        return new RuleWalker.Walk(Batches.concat(attr), Batches.concat(vals),
                refVals.isEmpty() ? null : Batches.concat(refVals));
    }

    /** A chunk's work: its first example's index in the batch and its inputs. */
    interface ChunkWork {
        /**
         * @param from index of the chunk's first example
         * @param chunk the chunk
         */
        void run(long from, INDArray chunk);
    }

    /** Cuts the batch into chunks of at most {@link #maxBatchSize()} examples, in order. */
    final void forEachChunk(INDArray x, ChunkWork work) {
        int max = maxBatchSize();
        for (long from = 0; from < x.size(0); from += max) {
            work.run(from, Batches.chunk(x, from, max));
        }
    }

    private static Target slice(Target target, long from, INDArray chunk) {
        return target.slice((int) from, (int) (from + chunk.size(0)));
    }

    /**
     * The seed policy: a target whose gradient does not depend on the activation (a logit, a channel, a neuron)
     * is seeded from zeros of the layer's known shape without a forward pass; others (the predicted class, a
     * probability) run the chunk forward first.
     */
    private INDArray seed(Target t, String layer, long[] knownShape, INDArray chunk, Supplier<INDArray> forward) {
        if (t.gradientDependsOnActivation() || knownShape == null) {
            INDArray act = guard(forward, chunk);
            t.validate(layer, act.shape());
            return t.gradient(act);
        }
        long[] shape = knownShape.clone();
        shape[0] = chunk.size(0);
        t.validate(layer, shape);
        return t.gradient(Nd4j.zeros(dataType(), shape));
    }

    /**
     * @param layer a resolved layer name
     * @return {@code [1, ...]} the layer's activation shape for the spec's input size, or null when unknown
     */
    final long[] knownShape(String layer) {
        for (LayerInfo l : layers()) {
            if (l.name().equals(layer) && l.outputShape() != null) {
                long[] s = l.outputShape();
                long[] full = new long[s.length + 1];
                full[0] = 1;
                System.arraycopy(s, 0, full, 1, s.length);
                return full;
            }
        }
        return null;
    }

    /** Turns a native failure on an unexpected input size into an error that says what to check. */
    final <T> T guard(Supplier<T> call, INDArray chunk) {
        try {
            return call.get();
        } catch (IllegalArgumentException | InterpretException e) {
            throw e;
        } catch (RuntimeException e) {
            if (inputSpec().hasSpatialSize()) {
                throw new InterpretException("The network failed on an input of shape "
                        + Arrays.toString(chunk.shape()) + ": " + e.getMessage(), e);
            }
            throw new IllegalArgumentException("The network could not process an input of shape "
                    + Arrays.toString(chunk.shape()) + " (" + e.getMessage() + "). The model's input size is not "
                    + "recorded in its configuration: pass Models.builder(net).inputSpec(InputSpec.builder()"
                    + ".shape(c, h, w).build()) with the size it was trained on, and resize images to it", e);
        }
    }
}
