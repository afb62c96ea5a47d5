package org.deeplearning4j.interpret.io;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageLoaderTest {
    @Test
    void aColourImageIsToldApartFromAGreyOneStoredAsRgb() {
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                int v = 40 * x + 10 * y;
                grey.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        assertFalse(ImageLoader.isColour(grey));
        grey.setRGB(2, 3, 0x102030);
        assertTrue(ImageLoader.isColour(grey), "one coloured pixel makes a colour image");
    }
}
