package org.deeplearning4j.interpret.featurevis;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bilinear resampling of a batch of images, one {@link Warp} per image, and its exact adjoint (the transpose of the
 * same linear map) for the gradient. The taps and weights are computed once and shared by every channel.
 */
final class Sampler {
    private final Warp[] warps;
    private final int h;
    private final int w;
    /** Per image and output pixel: the four source indices (-1 outside) and their weights. */
    private final int[][] taps;
    private final double[][] weights;

    Sampler(Warp[] warps, long height, long width) {
        this.warps = warps.clone();
        this.h = (int) height;
        this.w = (int) width;
        this.taps = new int[warps.length][];
        this.weights = new double[warps.length][];
        double cy = (h - 1) / 2.0;
        double cx = (w - 1) / 2.0;
        for (int n = 0; n < warps.length; n++) {
            Warp m = warps[n];
            if (m.isIdentity()) {
                continue;
            }
            int[] t = new int[h * w * 4];
            double[] wt = new double[h * w * 4];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double sy = m.myy * (y - cy) + m.myx * (x - cx) + cy + m.ty;
                    double sx = m.mxy * (y - cy) + m.mxx * (x - cx) + cx + m.tx;
                    int y0 = (int) Math.floor(sy);
                    int x0 = (int) Math.floor(sx);
                    double fy = sy - y0;
                    double fx = sx - x0;
                    int o = (y * w + x) * 4;
                    tap(t, wt, o, y0, x0, (1 - fy) * (1 - fx));
                    tap(t, wt, o + 1, y0, x0 + 1, (1 - fy) * fx);
                    tap(t, wt, o + 2, y0 + 1, x0, fy * (1 - fx));
                    tap(t, wt, o + 3, y0 + 1, x0 + 1, fy * fx);
                }
            }
            taps[n] = t;
            weights[n] = wt;
        }
    }

    private void tap(int[] t, double[] wt, int o, int y, int x, double weight) {
        t[o] = y < 0 || y >= h || x < 0 || x >= w ? -1 : y * w + x;
        wt[o] = weight;
    }

    /**
     * @param images {@code [N, C, H, W]}
     * @return the resampled images
     */
    INDArray apply(INDArray images) {
        int n = (int) images.size(0);
        int c = (int) images.size(1);
        int plane = h * w;
        double[] in = images.dup('c').data().asDouble();
        double[] out = new double[in.length];
        for (int i = 0; i < n; i++) {
            double fill = warps[i].fillValue();
            for (int ch = 0; ch < c; ch++) {
                int base = (i * c + ch) * plane;
                if (taps[i] == null) {
                    System.arraycopy(in, base, out, base, plane);
                    continue;
                }
                int[] t = taps[i];
                double[] wt = weights[i];
                for (int p = 0; p < plane; p++) {
                    double v = 0;
                    for (int k = 0; k < 4; k++) {
                        int s = t[p * 4 + k];
                        v += wt[p * 4 + k] * (s < 0 ? fill : in[base + s]);
                    }
                    out[base + p] = v;
                }
            }
        }
        return Nd4j.createFromArray(out).castTo(images.dataType()).reshape('c', images.shape());
    }

    /**
     * @param gradient gradient at the resampled images
     * @return the gradient at the source images
     */
    INDArray adjoint(INDArray gradient) {
        int n = (int) gradient.size(0);
        int c = (int) gradient.size(1);
        int plane = h * w;
        double[] g = gradient.dup('c').data().asDouble();
        double[] out = new double[g.length];
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (i * c + ch) * plane;
                if (taps[i] == null) {
                    System.arraycopy(g, base, out, base, plane);
                    continue;
                }
                int[] t = taps[i];
                double[] wt = weights[i];
                for (int p = 0; p < plane; p++) {
                    double gp = g[base + p];
                    for (int k = 0; k < 4; k++) {
                        int s = t[p * 4 + k];
                        if (s >= 0) {
                            out[base + s] += wt[p * 4 + k] * gp;
                        }
                    }
                }
            }
        }
        return Nd4j.createFromArray(out).castTo(gradient.dataType()).reshape('c', gradient.shape());
    }
}
