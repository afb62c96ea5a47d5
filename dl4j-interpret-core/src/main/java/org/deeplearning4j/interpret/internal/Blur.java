package org.deeplearning4j.interpret.internal;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Separable Gaussian blur of NCHW images, per channel, edges clamped. Internal: not API. */
public final class Blur {
    /** Kernel radius in standard deviations. */
    private static final double RADIUS_SIGMAS = 3.0;

    private Blur() {
    }

    /**
     * @param x {@code [N, C, H, W]}
     * @param sigma standard deviation in pixels (&gt; 0)
     * @return a blurred copy
     */
    public static INDArray gaussian(INDArray x, double sigma) {
        int r = Math.max(1, (int) Math.ceil(RADIUS_SIGMAS * sigma));
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + r];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        double[] all = HostArrays.doubles(x);
        double[] out = new double[all.length];
        double[] tmp = new double[h * w];
        for (int base = 0; base < all.length; base += h * w) {
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double v = 0;
                    for (int i = -r; i <= r; i++) {
                        v += k[i + r] * all[base + y * w + Math.max(0, Math.min(w - 1, xx + i))];
                    }
                    tmp[y * w + xx] = v;
                }
            }
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    double v = 0;
                    for (int i = -r; i <= r; i++) {
                        v += k[i + r] * tmp[Math.max(0, Math.min(h - 1, y + i)) * w + xx];
                    }
                    out[base + y * w + xx] = v;
                }
            }
        }
        return HostArrays.of(out, x.dataType(), x.shape());
    }
}
