package org.deeplearning4j.interpret.internal;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Bilinear resizing of maps (half-pixel centres, as OpenCV's {@code resize} and PyTorch's align_corners=False). */
public final class Resize {
    private Resize() {
    }

    /**
     * @param maps {@code [N, h, w]}
     * @param height output height
     * @param width output width
     * @return {@code [N, height, width]}, same data type
     */
    public static INDArray bilinear(INDArray maps, long height, long width) {
        long n = maps.size(0);
        int h = (int) maps.size(1);
        int w = (int) maps.size(2);
        if (h == height && w == width) {
            return maps.dup();
        }
        INDArray out = Nd4j.create(maps.dataType(), n, height, width);
        double sy = h / (double) height;
        double sx = w / (double) width;
        for (int i = 0; i < n; i++) {
            double[][] src = new double[h][w];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    src[y][x] = maps.getDouble(i, y, x);
                }
            }
            for (int y = 0; y < height; y++) {
                double fy = Math.max(0, Math.min(h - 1, (y + 0.5) * sy - 0.5));
                int y0 = (int) Math.floor(fy);
                int y1 = Math.min(h - 1, y0 + 1);
                double ay = fy - y0;
                for (int x = 0; x < width; x++) {
                    double fx = Math.max(0, Math.min(w - 1, (x + 0.5) * sx - 0.5));
                    int x0 = (int) Math.floor(fx);
                    int x1 = Math.min(w - 1, x0 + 1);
                    double ax = fx - x0;
                    double v = (1 - ay) * ((1 - ax) * src[y0][x0] + ax * src[y0][x1])
                            + ay * ((1 - ax) * src[y1][x0] + ax * src[y1][x1]);
                    out.putScalar(new long[] {i, y, x}, v);
                }
            }
        }
        return out;
    }
}
