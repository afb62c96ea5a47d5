package org.deeplearning4j.interpret.segmentation;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Segmenters split images into labelled segments that follow the image, and say clearly what does not fit. */
class SegmentersTest {

    /** Two flat colours with a vertical boundary at column 20, plus mild texture so SLIC has gradients to follow. */
    private static INDArray twoColours(int n) {
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 3, 32, 32).muli(0.05);
        x.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.interval(0, 20)).addi(0.9);
        x.get(NDArrayIndex.all(), NDArrayIndex.point(2), NDArrayIndex.all(), NDArrayIndex.interval(20, 32)).addi(0.9);
        return x;
    }

    /** Boundary adherence: at most 3% of the pixels lie in a segment whose majority is on the other side. */
    private static void assertSegmentsFollowTheBoundary(Segmentation s, int example) {
        int[] l = s.labels(example);
        int g = s.segments(example);
        int[] left = new int[g];
        int[] right = new int[g];
        for (int p = 0; p < l.length; p++) {
            if (p % 32 < 20) {
                left[l[p]]++;
            } else {
                right[l[p]]++;
            }
        }
        int minority = 0;
        for (int k = 0; k < g; k++) {
            minority += Math.min(left[k], right[k]);
        }
        assertTrue(minority <= 0.03 * l.length, s.description() + ": " + minority
                + " pixels lie across the colour boundary from the rest of their segment");
    }

    @Test
    void superpixelsFollowAColourBoundaryAndAreNumberedFromZero() {
        INDArray x = twoColours(2);
        for (Segmenter seg : new Segmenter[] {Segmenters.slic(16, 10), Segmenters.felzenszwalb(100, 20)}) {
            Segmentation s = seg.segment(x);
            assertEquals(2, s.size());
            for (int i = 0; i < 2; i++) {
                assertSegmentsFollowTheBoundary(s, i);
                int g = s.segments(i);
                assertTrue(g >= 2, seg.description() + " found " + g + " segments");
                for (int l : s.labels(i)) {
                    assertTrue(l >= 0 && l < g);
                }
                int total = 0;
                for (int k = 0; k < g; k++) {
                    assertTrue(s.pixels(i, k) > 0, "segment " + k + " is empty");
                    total += s.pixels(i, k);
                }
                assertEquals(32 * 32, total);
            }
        }
        int slic = Segmenters.slic(16, 10).segment(x).segments(0);
        assertTrue(slic >= 8 && slic <= 32, "SLIC asked for 16 segments gave " + slic);
    }

    @Test
    void aGridCoversTheImageWithCellsAndSmallerCellsAtTheBorder() {
        Segmentation s = Segmenters.grid(2, 4).segment(Nd4j.zeros(DataType.FLOAT, 3, 1, 5, 6));
        assertEquals(3, s.size());
        assertEquals(3 * 2, s.segments(0)); // rows 2+2+1, columns 4+2
        assertEquals(8, s.pixels(0, 0));
        assertEquals(2, s.pixels(0, 5));
        assertArrayEquals(s.labels(0), s.labels(2));
        assertArrayEquals(new long[] {3, 5, 6}, s.labels().shape());
    }

    @Test
    void userMasksAreRenumberedInOrderOfAppearanceAndCheckedForSizeAndIntegers() {
        INDArray mask = Nd4j.createFromArray(new int[][] {{9, 9, 4}, {4, -2, 9}});
        Segmentation s = Segmentation.of(mask);
        assertArrayEquals(new int[] {0, 0, 1, 1, 2, 0}, s.labels(0));
        assertEquals(3, s.segments(0));
        assertEquals("user mask", s.description());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Segmentation.of(Nd4j.createFromArray(new double[][] {{0, 0.5}})));
        assertTrue(e.getMessage().contains("integers"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Segmentation.of(Nd4j.zeros(4)));
        e = assertThrows(IllegalArgumentException.class,
                () -> Segmenters.fixed(s).segment(Nd4j.zeros(DataType.FLOAT, 1, 1, 3, 2)));
        assertTrue(e.getMessage().contains("2x3") && e.getMessage().contains("3x2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Segmentation.of(new int[][] {{1, 2}}, 2, 2, "x"));
    }

    @Test
    void badSegmenterOptionsAreRefusedWhenTheSegmenterIsMade() {
        assertThrows(IllegalArgumentException.class, () -> Segmenters.grid(0, 2));
        assertThrows(IllegalArgumentException.class, () -> Segmenters.slic(1, 10));
        assertThrows(IllegalArgumentException.class, () -> Segmenters.slic(10, 0));
        assertThrows(IllegalArgumentException.class, () -> Segmenters.felzenszwalb(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> Segmenters.felzenszwalb(10, 0));
        assertThrows(IllegalArgumentException.class, () -> Segmenters.grid(2, 2).segment(Nd4j.zeros(2, 2)));
    }
}
