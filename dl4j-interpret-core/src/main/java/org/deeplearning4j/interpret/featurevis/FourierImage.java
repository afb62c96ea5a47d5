package org.deeplearning4j.interpret.featurevis;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A complex spectrum per channel, scaled by {@code 1/f} so that all frequencies start with equal energy in the image,
 * turned into pixels by an inverse 2-D DFT (written as real cosine and sine matrix products: two large matrix
 * multiplications per side, batched over images and channels), then the colour squash. Parameters have shape
 * {@code [N, C, 2, H, W]} (real and imaginary parts). See {@link Parameterizations#fourier()}.
 */
final class FourierImage implements Parameterization {
    /** Lucid divides the inverse transform by this constant, keeping the initial image near mid-grey. */
    private static final double OUTPUT_DIVISOR = 4.0;
    private final ColourDecorrelation squash;
    private final double initStd;
    private final Map<String, Basis> bases = new ConcurrentHashMap<>();

    FourierImage(boolean decorrelate, double initStd) {
        this.squash = new ColourDecorrelation(decorrelate);
        this.initStd = initStd;
    }

    /** Cosine/sine matrices and the spectrum scale for one image size. */
    private static final class Basis {
        final INDArray cy;
        final INDArray sy;
        final INDArray cx;
        final INDArray sx;
        /** {@code 1/max(f, 1/max(h, w)) / (4 sqrt(hw))}, shape [H, W]. */
        final INDArray scale;

        Basis(int h, int w, DataType dt) {
            cy = trig(h, true, dt);
            sy = trig(h, false, dt);
            cx = trig(w, true, dt);
            sx = trig(w, false, dt);
            double[] s = new double[h * w];
            double floor = 1.0 / Math.max(h, w);
            for (int ky = 0; ky < h; ky++) {
                double fy = Math.min(ky, h - ky) / (double) h;
                for (int kx = 0; kx < w; kx++) {
                    double fx = Math.min(kx, w - kx) / (double) w;
                    s[ky * w + kx] = 1.0 / Math.max(Math.sqrt(fx * fx + fy * fy), floor)
                            / (OUTPUT_DIVISOR * Math.sqrt((double) h * w));
                }
            }
            scale = Nd4j.createFromArray(s).castTo(dt).reshape('c', h, w);
        }

        private static INDArray trig(int n, boolean cos, DataType dt) {
            double[] m = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < n; k++) {
                    double a = 2 * Math.PI * ((long) i * k % n) / n;
                    m[i * n + k] = cos ? Math.cos(a) : Math.sin(a);
                }
            }
            return Nd4j.createFromArray(m).castTo(dt).reshape('c', n, n);
        }
    }

    private Basis basis(long h, long w, DataType dt) {
        return bases.computeIfAbsent(h + "x" + w + ":" + dt, k -> new Basis((int) h, (int) w, dt));
    }

    @Override
    public INDArray init(long n, long channels, long height, long width, long seed, DataType dataType) {
        return PixelImage.gaussian(new long[] {n, channels, 2, height, width}, initStd, seed, dataType);
    }

    private static void checkParams(INDArray p) {
        if (p.rank() != 5 || p.size(2) != 2) {
            throw new IllegalArgumentException("Fourier parameters have shape [N, C, 2, H, W], got "
                    + java.util.Arrays.toString(p.shape()));
        }
    }

    /** @return {@code L X} for each {@code [H, W]} slice of {@code x [M, H, W]} */
    private static INDArray left(INDArray l, INDArray x) {
        long m = x.size(0);
        long h = x.size(1);
        long w = x.size(2);
        INDArray t = x.permute(1, 0, 2).dup('c').reshape('c', h, m * w);
        return l.mmul(t).reshape('c', h, m, w).permute(1, 0, 2).dup('c');
    }

    /** @return {@code X R} for each slice */
    private static INDArray right(INDArray x, INDArray r) {
        long m = x.size(0);
        long h = x.size(1);
        long w = x.size(2);
        return x.reshape('c', m * h, w).mmul(r).reshape('c', m, h, w);
    }

    /** The real part of the inverse DFT of the scaled spectrum: the image before the colour squash. */
    private INDArray pre(INDArray params) {
        checkParams(params);
        long n = params.size(0);
        long c = params.size(1);
        long h = params.size(3);
        long w = params.size(4);
        Basis b = basis(h, w, params.dataType());
        INDArray a = params.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0)).dup('c')
                .reshape('c', n * c, h, w).muli(b.scale.reshape(1, h, w));
        INDArray im = params.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1)).dup('c')
                .reshape('c', n * c, h, w).muli(b.scale.reshape(1, h, w));
        // P = Cy (A Cx - B Sx) - Sy (A Sx + B Cx)
        INDArray u = right(a, b.cx).subi(right(im, b.sx));
        INDArray v = right(a, b.sx).addi(right(im, b.cx));
        return left(b.cy, u).subi(left(b.sy, v)).reshape('c', n, c, h, w);
    }

    @Override
    public INDArray image(INDArray params) {
        return squash.forward(pre(params));
    }

    @Override
    public INDArray backward(INDArray params, INDArray image, INDArray imageGradient) {
        long n = params.size(0);
        long c = params.size(1);
        long h = params.size(3);
        long w = params.size(4);
        Basis b = basis(h, w, params.dataType());
        INDArray g = squash.backward(image, imageGradient).dup('c').reshape('c', n * c, h, w);
        INDArray gcx = right(g, b.cx);
        INDArray gsx = right(g, b.sx);
        INDArray da = left(b.cy, gcx).subi(left(b.sy, gsx)).muli(b.scale.reshape(1, h, w));
        INDArray db = left(b.cy, gsx).addi(left(b.sy, gcx)).negi().muli(b.scale.reshape(1, h, w));
        return Nd4j.stack(1, da.reshape('c', n, c, h, w), db.reshape('c', n, c, h, w)).permute(0, 2, 1, 3, 4)
                .dup('c');
    }

    @Override
    public INDArray fromImage(INDArray image) {
        long n = image.size(0);
        long c = image.size(1);
        long h = image.size(2);
        long w = image.size(3);
        Basis b = basis(h, w, image.dataType());
        INDArray p = squash.inverse(image).dup('c').reshape('c', n * c, h, w);
        INDArray pcx = right(p, b.cx);
        INDArray psx = right(p, b.sx);
        double hw = (double) h * w;
        INDArray a = left(b.cy, pcx).subi(left(b.sy, psx)).divi(hw).divi(b.scale.reshape(1, h, w));
        INDArray im = left(b.cy, psx).addi(left(b.sy, pcx)).negi().divi(hw).divi(b.scale.reshape(1, h, w));
        return Nd4j.stack(1, a.reshape('c', n, c, h, w), im.reshape('c', n, c, h, w)).permute(0, 2, 1, 3, 4)
                .dup('c');
    }

    @Override
    public String description() {
        return "fourier(" + (squash.decorrelates() ? "decorrelated" : "rgb") + ")";
    }

    @Override
    public String toString() {
        return description();
    }
}
