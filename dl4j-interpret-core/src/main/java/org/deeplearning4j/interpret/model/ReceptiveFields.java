package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.internal.engine.Footprint;
import org.deeplearning4j.interpret.internal.engine.LayerRegistry;
import org.deeplearning4j.interpret.internal.engine.LayerRules;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Receptive-field arithmetic over a graph configuration, per axis: for every vertex, the jump (input pixels between
 * adjacent units), the field size and the first unit's top-left offset. A window layer with kernel {@code k},
 * dilation {@code d}, stride {@code s} and leading padding {@code p} maps (jump j, size r, start t) to
 * (j s, r + (d (k - 1)) j, t - p j); vertices with several inputs (add, merge) take the union of their inputs'
 * fields; dense and global-pooling layers see the whole image; cropping shifts the start. Layers that resample
 * (upsampling, transposed convolution, space-to-depth) have no such affine arithmetic: units downstream of one have
 * no analytic field ({@link #field} returns null) and the model measures it instead ({@link #measure}).
 */
final class ReceptiveFields {
    /** Per axis: jump, size, start; whole = true when the unit sees the whole input. */
    static final class Axis {
        final long jump;
        final long size;
        final long start;
        final boolean whole;

        Axis(long jump, long size, long start, boolean whole) {
            this.jump = jump;
            this.size = size;
            this.start = start;
            this.whole = whole;
        }
    }

    private final Map<String, Axis[]> fields = new HashMap<>();
    private final Map<String, long[]> sizes;

    /**
     * @param conf graph configuration
     * @param order vertex names in topological order, the input first
     * @param outputSizes spatial size {h, w} of every vertex's activation (for SAME padding), input included
     */
    ReceptiveFields(ComputationGraphConfiguration conf, List<String> order, Map<String, long[]> outputSizes) {
        this.sizes = outputSizes;
        String input = conf.getNetworkInputs().get(0);
        fields.put(input, new Axis[] {new Axis(1, 1, 0, false), new Axis(1, 1, 0, false)});
        for (String name : order) {
            if (name.equals(input)) {
                continue;
            }
            List<String> ins = conf.getVertexInputs().get(name);
            Axis[] f = fields.get(ins.get(0));
            for (int i = 1; i < ins.size() && f != null; i++) {
                Axis[] other = fields.get(ins.get(i));
                f = other == null ? null : union(f, other);
            }
            GraphVertex v = conf.getVertices().get(name);
            if (v instanceof LayerVertex && f != null) {
                f = layer(((LayerVertex) v).getLayerConf().getLayer(), f, sizes.get(ins.get(0)),
                        sizes.get(name));
            }
            fields.put(name, f);
        }
    }

    private static Axis[] union(Axis[] a, Axis[] b) {
        Axis[] out = new Axis[2];
        for (int i = 0; i < 2; i++) {
            if (a[i].whole || b[i].whole) {
                out[i] = new Axis(a[i].jump, 0, 0, true);
                continue;
            }
            long start = Math.min(a[i].start, b[i].start);
            long end = Math.max(a[i].start + a[i].size, b[i].start + b[i].size);
            out[i] = new Axis(Math.max(a[i].jump, b[i].jump), end - start, start, false);
        }
        return out;
    }

    /** The window of a convolution or pooling layer: kernel, stride, padding, dilation (per axis) and mode. */
    static final class Window {
        final int[] k;
        final int[] s;
        final int[] p;
        final int[] d;
        final ConvolutionMode mode;

        private Window(int[] k, int[] s, int[] p, int[] d, ConvolutionMode mode) {
            this.k = k;
            this.s = s;
            this.p = p;
            this.d = d;
            this.mode = mode;
        }

        /** @return the window's extent along an axis in input units, dilation included */
        int effective(int axis) {
            return d[axis] * (k[axis] - 1) + 1;
        }

        /**
         * @param axis 0 rows, 1 columns
         * @param inSize the input's size along the axis
         * @param outSize the output's size along the axis
         * @return the padding before the first input unit (SAME mode pads as evenly as it can, the excess after)
         */
        long lead(int axis, long inSize, long outSize) {
            return mode == ConvolutionMode.Same
                    ? Math.max(0, (outSize - 1) * s[axis] + effective(axis) - inSize) / 2 : p[axis];
        }

        /** @return the layer's window, or null for a layer without one */
        static Window of(Layer l) {
            Footprint f = footprint(l);
            return f.kind() == Footprint.Kind.WINDOW
                    ? new Window(f.kernel(), f.stride(), f.padding(), f.dilation(), f.mode()) : null;
        }
    }

    /** @return how the (unwrapped) layer maps positions; unit to unit for a type without rules */
    static Footprint footprint(Layer l) {
        Layer c = org.deeplearning4j.interpret.gradient.LayerCatalogue.unwrapFrozen(l);
        LayerRules<Layer> rules = LayerRegistry.rules(c);
        return rules == null ? Footprint.UNIT : rules.footprint(c);
    }

    private static Axis[] layer(Layer l, Axis[] f, long[] inSize, long[] outSize) {
        Footprint fp = footprint(l);
        switch (fp.kind()) {
            case RESAMPLED:
                return null; // measured instead
            case SHIFT:
                return new Axis[] {shift(f[0], fp.shift()[0]), shift(f[1], fp.shift()[1])};
            case WINDOW:
                return window(Window.of(l), f, inSize, outSize);
            case WHOLE:
                return whole(f);
            case UNIT_OR_WHOLE:
                return outSize == null ? whole(f) : f;
            default:
                return f; // unit to unit
        }
    }

    private static Axis[] whole(Axis[] f) {
        return new Axis[] {new Axis(f[0].jump, 0, 0, true), new Axis(f[1].jump, 0, 0, true)};
    }

    private static Axis[] window(Window win, Axis[] f, long[] inSize, long[] outSize) {
        Axis[] out = new Axis[2];
        for (int i = 0; i < 2; i++) {
            long effective = win.effective(i);
            long lead = inSize != null && outSize != null ? win.lead(i, inSize[i], outSize[i]) : win.p[i];
            if (f[i].whole) {
                out[i] = f[i];
            } else {
                out[i] = new Axis(f[i].jump * win.s[i], f[i].size + (effective - 1) * f[i].jump,
                        f[i].start - lead * f[i].jump, false);
            }
        }
        return out;
    }

    private static Axis shift(Axis a, int by) {
        return a.whole ? a : new Axis(a.jump, a.size, a.start - (long) by * a.jump, false);
    }

    /**
     * @param layer vertex name
     * @param y unit row
     * @param x unit column
     * @param imageH input height
     * @param imageW input width
     * @return the unit's field (unclipped), or null when a resampling layer upstream leaves it to be measured
     */
    ReceptiveField field(String layer, long y, long x, long imageH, long imageW) {
        Axis[] f = fields.get(layer);
        if (f == null) {
            return null;
        }
        long top = f[0].whole ? 0 : f[0].start + y * f[0].jump;
        long left = f[1].whole ? 0 : f[1].start + x * f[1].jump;
        long h = f[0].whole ? imageH : f[0].size;
        long w = f[1].whole ? imageW : f[1].size;
        return new ReceptiveField(top, left, h, w);
    }

    /** Random probes whose input gradients' union of supports measures a field. */
    static final int FIELD_PROBES = 8;

    /**
     * Measures a unit's field as the bounding box of the support of its input gradient on {@link #FIELD_PROBES}
     * random inputs in the model's pixel range (seeded by the position, so the same unit always gets the same field).
     *
     * @param spec the input spec
     * @param dataType the model's data type
     * @param unitShape the layer's activation shape without the batch dimension
     * @param y unit row
     * @param x unit column
     * @param gradient (probes, seed at the layer) to the input gradient
     * @return the field
     */
    static ReceptiveField measure(InputSpec spec, org.nd4j.linalg.api.buffer.DataType dataType, long[] unitShape,
            long y, long x, java.util.function.BiFunction<org.nd4j.linalg.api.ndarray.INDArray,
            org.nd4j.linalg.api.ndarray.INDArray, org.nd4j.linalg.api.ndarray.INDArray> gradient) {
        org.nd4j.linalg.api.rng.Random rng = org.nd4j.linalg.factory.Nd4j.getRandomFactory()
                .getNewRandomInstance(y * 7919 + x);
        org.nd4j.linalg.api.ndarray.INDArray probe = org.nd4j.linalg.factory.Nd4j.rand(rng, FIELD_PROBES,
                spec.channels(), spec.height(), spec.width()).castTo(dataType)
                .muli(spec.pixelMax() - spec.pixelMin()).addi(spec.pixelMin());
        long[] full = new long[unitShape.length + 1];
        full[0] = FIELD_PROBES;
        System.arraycopy(unitShape, 0, full, 1, unitShape.length);
        org.nd4j.linalg.api.ndarray.INDArray seed = org.nd4j.linalg.factory.Nd4j.zeros(dataType, full);
        if (unitShape.length == 3) {
            seed.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(y), org.nd4j.linalg.indexing.NDArrayIndex.point(x))
                    .assign(1);
        } else {
            seed.assign(1);
        }
        org.nd4j.linalg.api.ndarray.INDArray g = org.nd4j.linalg.ops.transforms.Transforms.abs(
                gradient.apply(probe, seed), false).sum(0, 1);
        long top = -1;
        long left = Long.MAX_VALUE;
        long bottom = -1;
        long right = -1;
        for (int i = 0; i < g.size(0); i++) {
            for (int j = 0; j < g.size(1); j++) {
                if (g.getDouble(i, j) > 0) {
                    top = top < 0 ? i : top;
                    bottom = i;
                    left = Math.min(left, j);
                    right = Math.max(right, j);
                }
            }
        }
        return top < 0 ? new ReceptiveField(y, x, 1, 1) : new ReceptiveField(top, left, bottom - top + 1,
                right - left + 1);
    }
}
