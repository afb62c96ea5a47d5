package org.deeplearning4j.interpret.model;

import org.deeplearning4j.interpret.data.ShapesCnn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelFilesAndRangesTest {
    @TempDir
    Path dir;

    @Test
    void aModelZipWithTruncatedWeightsNamesTheFileAndWhatIsBroken() throws IOException {
        File good = dir.resolve("good.zip").toFile();
        ShapesCnn.build(16, 1).save(good);
        File bad = dir.resolve("bad.zip").toFile();
        try (ZipFile in = new ZipFile(good); ZipOutputStream out = new ZipOutputStream(new FileOutputStream(bad))) {
            Enumeration<? extends ZipEntry> es = in.entries();
            while (es.hasMoreElements()) {
                ZipEntry e = es.nextElement();
                byte[] b = in.getInputStream(e).readAllBytes();
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(b, 0, e.getName().equals("coefficients.bin") ? b.length / 3 : b.length);
                out.closeEntry();
            }
        }
        String msg = assertThrows(IOException.class, () -> Models.load(bad)).getMessage();
        assertTrue(msg.contains("bad.zip") && msg.contains("coefficients.bin") && msg.contains("corrupted"), msg);
        assertTrue(Models.load(good) instanceof org.deeplearning4j.nn.multilayer.MultiLayerNetwork);
    }

    @Test
    void dataOnAnotherScaleThanTheSpecIsSpotted() {
        InputSpec unit = InputSpec.builder().shape(1, 4, 4).build();
        InputSpec bytes = InputSpec.builder().shape(1, 4, 4).pixelRange(0, 255).build();
        org.nd4j.linalg.api.ndarray.INDArray zeroTo255 = Nd4j.linspace(0, 255, 16, DataType.DOUBLE)
                .reshape(1, 1, 4, 4);
        org.nd4j.linalg.api.ndarray.INDArray zeroTo1 = zeroTo255.div(255);
        String w = InputChecks.rangeWarning(unit, zeroTo255, true).orElseThrow();
        assertTrue(w.contains("0..255 pixels for a 0..1 model") && w.contains("divide by 255"), w);
        w = InputChecks.rangeWarning(bytes, zeroTo1, true).orElseThrow();
        assertTrue(w.contains("0..1 pixels for a 0..255 model"), w);
        assertFalse(InputChecks.rangeWarning(unit, zeroTo1, true).isPresent());
        assertFalse(InputChecks.rangeWarning(bytes, zeroTo255, true).isPresent());
        assertFalse(InputChecks.rangeWarning(bytes, zeroTo1, false).isPresent(),
                "after the first batch small ranges are legitimate (scaled path points)");
        assertFalse(InputChecks.rangeWarning(bytes, zeroTo1.mul(0), true).isPresent(), "a constant baseline");
    }
}
