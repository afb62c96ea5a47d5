package org.deeplearning4j.interpret.internal;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The Java pixel loops (bilinear resizing, Gaussian blur) give known answers in every data type, on views too. */
class PixelLoopsTest {
    @Test
    void bilinearUpsamplingUsesHalfPixelCentresAsPyTorchWithoutAlignCorners() {
        INDArray map = Nd4j.createFromArray(new double[] {0, 1, 2, 3}).reshape(1, 2, 2);
        // F.interpolate(m, size=4, mode="bilinear", align_corners=False) on [[0, 1], [2, 3]]
        double[] expected = {0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3};
        assertArrayEquals(expected, Resize.bilinear(map, 4, 4).data().asDouble(), 1e-12);
        INDArray f = Resize.bilinear(map.castTo(DataType.FLOAT), 4, 4);
        assertEquals(DataType.FLOAT, f.dataType());
        assertArrayEquals(expected, f.castTo(DataType.DOUBLE).data().asDouble(), 1e-6);
    }

    @Test
    void bilinearResizingOfEachMapOfABatchViewEqualsResizingTheMapAlone() {
        Nd4j.getRandom().setSeed(3);
        INDArray maps = Nd4j.rand(DataType.FLOAT, 3, 5, 7);
        INDArray view = maps.permute(0, 2, 1).permute(0, 2, 1); // same values, a view in another layout
        INDArray all = Resize.bilinear(view, 9, 4);
        assertArrayEquals(new long[] {3, 9, 4}, all.shape());
        for (int i = 0; i < 3; i++) {
            INDArray one = Resize.bilinear(maps.slice(i).reshape(1, 5, 7).dup(), 9, 4);
            assertEquals(one.reshape(9, 4), all.slice(i));
        }
    }

    @Test
    void gaussianBlurKeepsAConstantImageAndMatchesTheSeparableSumElementByElement() {
        INDArray constant = Nd4j.valueArrayOf(new long[] {1, 2, 6, 5}, 0.75f);
        assertEquals(0, Blur.gaussian(constant, 1.5).sub(0.75f).amaxNumber().doubleValue(), 1e-6);

        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 6, 5);
        double sigma = 0.8;
        INDArray blurred = Blur.gaussian(x, sigma);
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
            sum += k[i + r];
        }
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 6; y++) {
                    for (int xx = 0; xx < 5; xx++) {
                        double v = 0;
                        for (int i = -r; i <= r; i++) {
                            for (int j = -r; j <= r; j++) {
                                v += k[i + r] * k[j + r] / (sum * sum) * x.getDouble(n, c,
                                        Math.max(0, Math.min(5, y + i)), Math.max(0, Math.min(4, xx + j)));
                            }
                        }
                        assertEquals(v, blurred.getDouble(n, c, y, xx), 1e-12, "at " + n + "," + c + "," + y + "," + xx);
                    }
                }
            }
        }
    }
}
