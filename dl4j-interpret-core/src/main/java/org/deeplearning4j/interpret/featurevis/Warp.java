package org.deeplearning4j.interpret.featurevis;

/**
 * An affine map from output pixel coordinates to source coordinates about the image centre:
 * {@code src = M (p - c) + c + t}, with the value used where the source falls outside the image. Immutable.
 */
public final class Warp {
    /** No fill chosen: the composed chain uses {@link #DEFAULT_FILL}. */
    static final double NO_FILL = Double.NaN;
    /** The value outside the image, in display space: mid-grey, as Lucid's constant padding. */
    public static final double DEFAULT_FILL = 0.5;
    private static final Warp IDENTITY = new Warp(1, 0, 0, 1, 0, 0, NO_FILL);

    final double myy;
    final double myx;
    final double mxy;
    final double mxx;
    final double ty;
    final double tx;
    final double fill;

    Warp(double myy, double myx, double mxy, double mxx, double ty, double tx, double fill) {
        this.myy = myy;
        this.myx = myx;
        this.mxy = mxy;
        this.mxx = mxx;
        this.ty = ty;
        this.tx = tx;
        this.fill = fill;
    }

    static Warp identity() {
        return IDENTITY;
    }

    /** @return true when sampling with this map returns the image unchanged */
    boolean isIdentity() {
        return myy == 1 && myx == 0 && mxy == 0 && mxx == 1 && ty == 0 && tx == 0;
    }

    /**
     * @param inner the map applied to output coordinates first (the later transform in the chain)
     * @return {@code this o inner}
     */
    Warp after(Warp inner) {
        return new Warp(myy * inner.myy + myx * inner.mxy, myy * inner.myx + myx * inner.mxx,
                mxy * inner.myy + mxx * inner.mxy, mxy * inner.myx + mxx * inner.mxx,
                myy * inner.ty + myx * inner.tx + ty, mxy * inner.ty + mxx * inner.tx + tx,
                Double.isNaN(fill) ? inner.fill : fill);
    }

    double fillValue() {
        return Double.isNaN(fill) ? DEFAULT_FILL : fill;
    }

    @Override
    public String toString() {
        return String.format("Warp[[%.4f %.4f | %.2f], [%.4f %.4f | %.2f], fill %s]", myy, myx, ty, mxy, mxx, tx,
                Double.isNaN(fill) ? "default" : String.valueOf(fill));
    }
}
