package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.model.InterpretableModel;
import org.deeplearning4j.interpret.model.LocalLayers;
import org.deeplearning4j.interpret.targets.Target;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Occlusion's values computed incrementally (Krypton): an occluding patch changes only a region of each early layer's
 * output, the region its projective field covers. For every window position this runs each group of the model's
 * leading local layers ({@link LocalLayers}) on a crop around the changed region only (the rest of the map is the
 * unoccluded image's, computed once per image), and the rest of the network once from the last group's output with
 * the changed region pasted in. Exact: every recomputed unit is the unit the whole occluded image gives (up to
 * floating-point rounding, as a different batch size gives). The last group (the cut) is chosen by a multiply-add
 * count: as regions grow with depth, recomputing them stops paying off.
 *
 * <p>Approximate mode (Krypton's projective-field threshold {@code tau} below 1): the changed region of every layer is
 * cut to at most {@code tau} of the map's side, centred on the region, and the units outside it keep their
 * unoccluded values; faster, not exact.
 *
 * <p>Nakandala, Kumar, Papakonstantinou, "Incremental and Approximate Inference for Faster Occlusion-based Deep CNN
 * Explanations", SIGMOD 2019, <a href="https://doi.org/10.1145/3299869.3319874">doi:10.1145/3299869.3319874</a>.
 */
final class IncrementalOcclusion {
    private static final Logger log = LoggerFactory.getLogger(IncrementalOcclusion.class);
    /** Incremental work must save at least this fraction of the plain multiply-adds to be used. */
    static final double MIN_SAVING = 0.1;

    /** Where one group computes, along one axis, for every window position along that axis. */
    static final class AxisPlan {
        /** Changed output units per position: [lo, hi). */
        final int[] lo;
        final int[] hi;
        /** First computed output unit per position; every position computes {@link #extent} units. */
        final int[] first;
        final int extent;
        /** First input unit of the crop per position; every crop has {@link #crop} units. */
        final int[] cropStart;
        final int crop;
        /** Output units of a crop (estimate, for the cost). */
        final int cropOut;

        private AxisPlan(int[] lo, int[] hi, int[] first, int extent, int[] cropStart, int crop, int cropOut) {
            this.lo = lo;
            this.hi = hi;
            this.first = first;
            this.extent = extent;
            this.cropStart = cropStart;
            this.crop = crop;
            this.cropOut = cropOut;
        }

        /**
         * @param a the group's geometry along the axis
         * @param inLo changed input units per position, from
         * @param inHi to (exclusive)
         * @param threshold the largest changed region as a fraction of the map (1: exact)
         * @return the plan
         */
        static AxisPlan of(LocalLayers.Axis a, int[] inLo, int[] inHi, double threshold) {
            int n = inLo.length;
            int[] lo = new int[n];
            int[] hi = new int[n];
            int extent = 1;
            int cap = Math.max(1, (int) Math.ceil(threshold * a.out));
            for (int p = 0; p < n; p++) {
                if (inHi[p] <= inLo[p]) {
                    lo[p] = 0;
                    hi[p] = 0;
                    continue;
                }
                // output unit o reads input units [o * stride - lead, o * stride - lead + kernel)
                lo[p] = Math.max(0, -Math.floorDiv(-(inLo[p] + a.lead - a.kernel + 1), a.stride));
                hi[p] = Math.min(a.out, Math.floorDiv(inHi[p] - 1 + a.lead, a.stride) + 1);
                if (hi[p] - lo[p] > cap) {
                    int mid = (lo[p] + hi[p]) / 2;
                    lo[p] = Math.max(lo[p], mid - cap / 2);
                    hi[p] = lo[p] + cap;
                }
                hi[p] = Math.max(hi[p], lo[p]);
                extent = Math.max(extent, hi[p] - lo[p]);
            }
            int[] first = new int[n];
            int[] start = new int[n];
            int crop = 0;
            for (int p = 0; p < n; p++) {
                first[p] = Math.max(0, Math.min(lo[p], a.out - extent));
                int needLo = first[p] * a.stride - a.lead;
                int needHi = (first[p] + extent - 1) * a.stride - a.lead + a.kernel;
                // a crop pads like the whole map when it starts at a multiple of the stride and its size is
                // congruent to the map's: needed so that crop units line up with map units at both borders
                start[p] = needLo <= 0 ? 0 : Math.floorDiv(needLo, a.stride) * a.stride;
                int size = Math.min(a.in, needHi) - start[p];
                size += Math.floorMod(a.in - size, a.stride);
                crop = Math.max(crop, Math.min(size, a.in - start[p]));
            }
            crop = Math.min(crop, a.in);
            for (int p = 0; p < n; p++) {
                start[p] = Math.min(start[p], a.in - crop);
            }
            int cropOut = Math.min(a.out, (crop + a.stride - 1) / a.stride);
            return new AxisPlan(lo, hi, first, extent, start, crop, cropOut);
        }
    }

    private final InterpretableModel model;
    private final LocalLayers local;
    private final List<AxisPlan[]> plans;
    private final int cut;
    private final int windowH;
    private final int windowW;
    private final int[] ys;
    private final int[] xs;
    private final double threshold;

    private IncrementalOcclusion(InterpretableModel model, LocalLayers local, List<AxisPlan[]> plans, int cut,
            int[] ys, int[] xs, int windowH, int windowW, double threshold) {
        this.model = model;
        this.local = local;
        this.plans = plans;
        this.cut = cut;
        this.ys = ys;
        this.xs = xs;
        this.windowH = windowH;
        this.windowW = windowW;
        this.threshold = threshold;
    }

    /**
     * Plans the incremental work, or says there is none worth doing.
     *
     * @param model the model
     * @param shape the input's shape {N, C, H, W}
     * @param ys window rows
     * @param xs window columns
     * @param windowH window height
     * @param windowW window width
     * @param threshold projective-field threshold (1: exact)
     * @param cutLayer the last layer to compute incrementally (null: chosen by cost)
     * @param targetLayer the layer the target reads (null: the output): the cut comes before it
     * @return the plan, or null when the plain computation costs less (logged)
     * @throws org.deeplearning4j.interpret.InterpretException when the model has no leading local layers
     * @throws IllegalArgumentException when {@code cutLayer} is not a group's last layer
     */
    static IncrementalOcclusion plan(InterpretableModel model, long[] shape, List<Integer> ys, List<Integer> xs,
            int windowH, int windowW, double threshold, String cutLayer, String targetLayer) {
        LocalLayers local = model.spi().localLayers(shape[1], shape[2], shape[3]);
        int[] y = ys.stream().mapToInt(Integer::intValue).toArray();
        int[] x = xs.stream().mapToInt(Integer::intValue).toArray();
        int[] loH = y.clone();
        int[] hiH = y.clone();
        int[] loW = x.clone();
        int[] hiW = x.clone();
        for (int i = 0; i < y.length; i++) {
            hiH[i] += windowH;
        }
        for (int i = 0; i < x.length; i++) {
            hiW[i] += windowW;
        }
        List<AxisPlan[]> plans = new ArrayList<>();
        double prefix = 0;
        double prefixFull = 0;
        double best = local.totalFlops();
        int cut = -1;
        List<String> names = new ArrayList<>();
        for (LocalLayers.Group g : local.groups()) {
            if (targetLayer != null && g.layers.contains(targetLayer)) {
                break; // the target reads this group: it and what follows run whole, from the cut before it
            }
            AxisPlan h = AxisPlan.of(g.height, loH, hiH, threshold);
            AxisPlan w = AxisPlan.of(g.width, loW, hiW, threshold);
            plans.add(new AxisPlan[] {h, w});
            prefix += g.flops * h.cropOut * (double) w.cropOut / ((double) g.height.out * g.width.out);
            prefixFull += g.flops;
            double cost = prefix + local.totalFlops() - prefixFull;
            names.add(g.outputLayer);
            if (cutLayer == null ? cost < best : g.outputLayer.equals(cutLayer)) {
                best = cost;
                cut = plans.size() - 1;
            }
            loH = h.lo;
            hiH = h.hi;
            loW = w.lo;
            hiW = w.hi;
        }
        if (cutLayer != null && cut < 0) {
            throw new IllegalArgumentException("'" + cutLayer + "' is not the last layer of a group of local layers "
                    + "before the target's layer; choose one of " + names);
        }
        if (cutLayer == null && (cut < 0 || best > (1 - MIN_SAVING) * local.totalFlops())) {
            log.info("Incremental occlusion would save less than {}% of the work on this model and window; running "
                    + "plain occlusion instead", (int) (100 * MIN_SAVING));
            return null;
        }
        log.debug("Incremental occlusion through '{}': {} of the plain multiply-adds", names.get(cut),
                String.format(Locale.ROOT, "%.2f", best / local.totalFlops()));
        return new IncrementalOcclusion(model, local, plans.subList(0, cut + 1), cut, y, x, windowH, windowW,
                threshold);
    }

    /** @return what the result's options say: mode and cut */
    String describe() {
        return (threshold >= 1 ? "exact" : String.format(Locale.ROOT, "approximate (threshold %.2f)", threshold))
                + " through '" + local.groups().get(cut).outputLayer + "'";
    }

    /**
     * @param image one image {@code [1, C, H, W]}
     * @return the unoccluded activations of every group's output, without the batch dimension
     */
    INDArray[] activations(INDArray image) {
        String[] names = new String[cut + 1];
        for (int g = 0; g <= cut; g++) {
            names[g] = local.groups().get(g).outputLayer;
        }
        Map<String, INDArray> acts = model.activations(image, names);
        INDArray[] out = new INDArray[cut + 1];
        for (int g = 0; g <= cut; g++) {
            out[g] = acts.get(names[g]).get(NDArrayIndex.point(0));
        }
        return out;
    }

    /**
     * The target's values with windows {@code start..end-1} occluded.
     *
     * @param image one image {@code [1, C, H, W]}
     * @param patch the occluding values for that image {@code [1, C, H, W]}
     * @param acts {@link #activations(INDArray)} of the image
     * @param target the image's target
     * @param start first window (row-major over rows and columns)
     * @param end last window, exclusive
     * @return the values {@code [end - start]}
     */
    INDArray values(INDArray image, INDArray patch, INDArray[] acts, Target target, int start, int end) {
        int b = end - start;
        // the changed block of the previous level per window: its values and where it lies
        INDArray[] block = new INDArray[b];
        int[] top = new int[b];
        int[] left = new int[b];
        int[][] changed = new int[b][];
        for (int k = 0; k < b; k++) {
            int y = ys[(start + k) / xs.length];
            int x = xs[(start + k) % xs.length];
            block[k] = patch.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.interval(y, y + windowH),
                    NDArrayIndex.interval(x, x + windowW));
            top[k] = y;
            left[k] = x;
            changed[k] = new int[] {y, y + windowH, x, x + windowW};
        }
        INDArray previous = image.get(NDArrayIndex.point(0));
        for (int g = 0; g <= cut; g++) {
            AxisPlan h = plans.get(g)[0];
            AxisPlan w = plans.get(g)[1];
            INDArray crops = Nd4j.create(previous.dataType(), b, previous.size(0), h.crop, w.crop);
            for (int k = 0; k < b; k++) {
                int ph = (start + k) / xs.length;
                int pw = (start + k) % xs.length;
                int r0 = h.cropStart[ph];
                int c0 = w.cropStart[pw];
                INDArray crop = crops.get(NDArrayIndex.point(k));
                crop.assign(previous.get(NDArrayIndex.all(), NDArrayIndex.interval(r0, r0 + h.crop),
                        NDArrayIndex.interval(c0, c0 + w.crop)));
                paste(crop, r0, c0, block[k], top[k], left[k], changed[k]);
            }
            INDArray out = local.run(g, crops);
            for (int k = 0; k < b; k++) {
                int ph = (start + k) / xs.length;
                int pw = (start + k) % xs.length;
                int j0 = h.first[ph] - h.cropStart[ph] / local.groups().get(g).height.stride;
                int i0 = w.first[pw] - w.cropStart[pw] / local.groups().get(g).width.stride;
                if (j0 < 0 || i0 < 0 || j0 + h.extent > out.size(2) || i0 + w.extent > out.size(3)) {
                    throw new IllegalStateException("Incremental occlusion: group '"
                            + local.groups().get(g).outputLayer + "' gave " + java.util.Arrays.toString(out.shape())
                            + " on crops " + java.util.Arrays.toString(crops.shape()) + ", without the units "
                            + j0 + "+" + h.extent + ", " + i0 + "+" + w.extent + " (a defect: please report it)");
                }
                block[k] = out.get(NDArrayIndex.point(k), NDArrayIndex.all(), NDArrayIndex.interval(j0, j0 + h.extent),
                        NDArrayIndex.interval(i0, i0 + w.extent));
                top[k] = h.first[ph];
                left[k] = w.first[pw];
                changed[k] = new int[] {h.lo[ph], h.hi[ph], w.lo[pw], w.hi[pw]};
            }
            previous = acts[g];
        }
        INDArray override = Nd4j.create(previous.dataType(), b, previous.size(0), previous.size(1), previous.size(2));
        for (int k = 0; k < b; k++) {
            INDArray map = override.get(NDArrayIndex.point(k));
            map.assign(previous);
            paste(map, 0, 0, block[k], top[k], left[k], changed[k]);
        }
        INDArray images = Nd4j.repeat(image, b).reshape(b, image.size(1), image.size(2), image.size(3));
        return model.spi().values(images, target, local.groups().get(cut).outputLayer, override);
    }

    /**
     * Copies the changed part of a block into a crop of the map.
     *
     * @param crop {@code [C, h, w]} starting at map unit (r0, c0)
     * @param block {@code [C, bh, bw]} starting at map unit (top, left)
     * @param changed the changed map units {lo row, hi row, lo column, hi column}
     */
    private static void paste(INDArray crop, int r0, int c0, INDArray block, int top, int left, int[] changed) {
        int rLo = Math.max(changed[0], r0);
        int rHi = Math.min(changed[1], r0 + (int) crop.size(1));
        int cLo = Math.max(changed[2], c0);
        int cHi = Math.min(changed[3], c0 + (int) crop.size(2));
        if (rHi <= rLo || cHi <= cLo) {
            return;
        }
        crop.get(NDArrayIndex.all(), NDArrayIndex.interval(rLo - r0, rHi - r0), NDArrayIndex.interval(cLo - c0,
                cHi - c0)).assign(block.get(NDArrayIndex.all(), NDArrayIndex.interval(rLo - top, rHi - top),
                NDArrayIndex.interval(cLo - left, cHi - left)));
    }
}
