package org.deeplearning4j.interpret.attribution;

import org.deeplearning4j.interpret.internal.Blur;
import org.deeplearning4j.interpret.model.InterpretableModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/** Factories for {@link Baseline}s. All work in the model's own input space. */
public final class Baselines {
    private Baselines() {
    }

    /** @return all zeros (Captum's default; the mean pixel for mean-subtracted inputs) */
    public static Baseline zeros() {
        return constant(0.0, "zeros");
    }

    /**
     * @param v value in the model's input space
     * @return a constant image
     */
    public static Baseline constant(double v) {
        return constant(v, "constant " + v);
    }

    private static Baseline constant(double v, String description) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("Baseline value must be finite, got " + v);
        }
        return new Baseline() {
            @Override
            public INDArray create(INDArray input, InterpretableModel model) {
                return Nd4j.valueArrayOf(input.shape(), v, input.dataType());
            }

            @Override
            public String description() {
                return description;
            }
        };
    }

    /** @return mid-grey in the model's input space (from its {@code InputSpec}) */
    public static Baseline grey() {
        return new Baseline() {
            @Override
            public INDArray create(INDArray input, InterpretableModel model) {
                INDArray g = Nd4j.create(input.dataType(), input.shape());
                for (int c = 0; c < input.size(1); c++) {
                    g.get(NDArrayIndex.all(), NDArrayIndex.point(c)).assign(model.inputSpec().greyValue(c));
                }
                return g;
            }

            @Override
            public String description() {
                return "grey";
            }
        };
    }

    /**
     * @param sigma Gaussian standard deviation in pixels
     * @return a blurred copy of each input
     */
    public static Baseline blurred(double sigma) {
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("Blur sigma must be > 0, got " + sigma);
        }
        return new Baseline() {
            @Override
            public INDArray create(INDArray input, InterpretableModel model) {
                return Blur.gaussian(input, sigma);
            }

            @Override
            public String description() {
                return "blurred sigma=" + sigma;
            }
        };
    }

    /**
     * @param image {@code [C, H, W]}, {@code [1, C, H, W]} (used for every example) or {@code [N, C, H, W]}
     * @return a user-supplied baseline image
     */
    public static Baseline image(INDArray image) {
        if (image == null) {
            throw new IllegalArgumentException("Baseline image is null");
        }
        INDArray img = image.rank() == 3 ? image.reshape(1, image.size(0), image.size(1), image.size(2)).dup()
                : image.dup();
        return new Baseline() {
            @Override
            public INDArray create(INDArray input, InterpretableModel model) {
                if (img.rank() != 4 || img.size(1) != input.size(1) || img.size(2) != input.size(2)
                        || img.size(3) != input.size(3) || (img.size(0) != 1 && img.size(0) != input.size(0))) {
                    throw new IllegalArgumentException("Baseline image shape " + Arrays.toString(image.shape())
                            + " does not match the input " + Arrays.toString(input.shape())
                            + "; pass [C,H,W], [1,C,H,W] or one baseline per example");
                }
                INDArray b = img.castTo(input.dataType());
                return b.size(0) == input.size(0) ? b.dup()
                        : Nd4j.repeat(b, (int) input.size(0)).reshape(input.shape()).dup();
            }

            @Override
            public String description() {
                return "image " + Arrays.toString(image.shape());
            }
        };
    }
}
