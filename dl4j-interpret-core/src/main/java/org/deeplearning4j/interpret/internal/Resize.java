package org.deeplearning4j.interpret.internal;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Bilinear resizing of maps (half-pixel centres, as OpenCV's {@code resize} and PyTorch's align_corners=False). */
public final class Resize {
    private Resize() {
    }

    /**
     * Reads and writes the maps in bulk ({@link HostArrays}).
     *
     * @param maps {@code [N, h, w]}
     * @param height output height
     * @param width output width
     * @return {@code [N, height, width]}, same data type
     */
    public static INDArray bilinear(INDArray maps, long height, long width) {
        int n = (int) maps.size(0);
        int h = (int) maps.size(1);
        int w = (int) maps.size(2);
        if (h == height && w == width) {
            return maps.dup();
        }
        int oh = Math.toIntExact(height);
        int ow = Math.toIntExact(width);
        return HostArrays.of(bilinear(HostArrays.doubles(maps), n, h, w, oh, ow), maps.dataType(), n, oh, ow);
    }

    /**
     * The same on Java arrays.
     *
     * @param src {@code n} maps of {@code h x w}, C order
     * @param n number of maps
     * @param h source height
     * @param w source width
     * @param oh output height
     * @param ow output width
     * @return {@code n} maps of {@code oh x ow}, C order
     */
    public static double[] bilinear(double[] src, int n, int h, int w, int oh, int ow) {
        double[] out = new double[Math.multiplyExact(n, Math.multiplyExact(oh, ow))];
        double sy = h / (double) oh;
        double sx = w / (double) ow;
        int[] x0 = new int[ow];
        int[] x1 = new int[ow];
        double[] ax = new double[ow];
        for (int x = 0; x < ow; x++) {
            double fx = Math.max(0, Math.min(w - 1, (x + 0.5) * sx - 0.5));
            x0[x] = (int) Math.floor(fx);
            x1[x] = Math.min(w - 1, x0[x] + 1);
            ax[x] = fx - x0[x];
        }
        for (int i = 0; i < n; i++) {
            int in = i * h * w;
            for (int y = 0; y < oh; y++) {
                double fy = Math.max(0, Math.min(h - 1, (y + 0.5) * sy - 0.5));
                int y0 = (int) Math.floor(fy);
                int y1 = Math.min(h - 1, y0 + 1);
                double ay = fy - y0;
                int r0 = in + y0 * w;
                int r1 = in + y1 * w;
                int o = (i * oh + y) * ow;
                for (int x = 0; x < ow; x++) {
                    double a = ax[x];
                    out[o + x] = (1 - ay) * ((1 - a) * src[r0 + x0[x]] + a * src[r0 + x1[x]])
                            + ay * ((1 - a) * src[r1 + x0[x]] + a * src[r1 + x1[x]]);
                }
            }
        }
        return out;
    }
}
