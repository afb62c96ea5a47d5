package org.deeplearning4j.interpret.spark;

import org.deeplearning4j.interpret.io.Npy;
import org.deeplearning4j.interpret.spark.examples.SparkExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example main runs on local[*] with no cluster and writes what its javadoc promises. */
class SparkExampleMainTest {
    @TempDir
    Path dir;

    @Test
    void theExampleWritesParquetPngNpyAndSearchGrids() throws Exception {
        // an untrained network and 64 images keep it short; the user's run trains for 3 epochs on 2000
        SparkExample.main(new String[] {dir.toString(), "64", "0"});
        assertTrue(new File(dir.toFile(), "gradcam.parquet/_SUCCESS").isFile());
        assertTrue(new File(dir.toFile(), "saliency.parquet/_SUCCESS").isFile());
        File[] pngs = new File(dir.toFile(), "gradcam-png").listFiles((d, n) -> n.endsWith(".png"));
        File[] npys = new File(dir.toFile(), "gradcam-npy").listFiles((d, n) -> n.endsWith(".npy"));
        assertEquals(20, pngs.length);
        assertEquals(20, npys.length);
        assertEquals(2, Npy.read(npys[0]).rank());
        assertEquals(8, new File(dir.toFile(), "relu3-top9").listFiles((d, n) -> n.endsWith(".png")).length);
    }
}
