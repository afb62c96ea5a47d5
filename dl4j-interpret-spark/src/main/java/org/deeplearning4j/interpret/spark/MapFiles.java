package org.deeplearning4j.interpret.spark;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.deeplearning4j.interpret.io.Npy;
import org.deeplearning4j.interpret.render.Colormap;
import org.deeplearning4j.interpret.render.Heatmaps;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;

/** Writes the maps of a {@link SparkAttribution} result as one file per image on any Hadoop filesystem. */
final class MapFiles {
    enum Kind { NPY, PNG }

    /** PNGs are enlarged to at least this many pixels a side, so that small maps stay readable. */
    static final int MIN_PNG_SIDE = 224;

    private MapFiles() {
    }

    static void write(Dataset<Row> maps, String dir, Kind kind) {
        if (maps == null || dir == null) {
            throw new IllegalArgumentException("maps and dir must be given");
        }
        List<String> names = List.of(maps.schema().fieldNames());
        for (String c : List.of(SparkAttribution.MAP, SparkAttribution.MAP_HEIGHT, SparkAttribution.MAP_WIDTH)) {
            if (!names.contains(c)) {
                throw new IllegalArgumentException("Not an attribution result: no column '" + c + "' in " + names);
            }
        }
        String idColumn = names.get(0);
        HadoopConf conf = new HadoopConf(maps.sparkSession().sparkContext().hadoopConfiguration());
        maps.select(idColumn, SparkAttribution.MAP, SparkAttribution.MAP_HEIGHT, SparkAttribution.MAP_WIDTH)
                .foreachPartition((ForeachPartitionFunction<Row>) rows -> writePartition(rows, dir, conf, kind));
    }

    private static void writePartition(Iterator<Row> rows, String dir, HadoopConf conf, Kind kind)
            throws IOException {
        Path base = new Path(dir);
        FileSystem fs = base.getFileSystem(conf.get());
        while (rows.hasNext()) {
            Row r = rows.next();
            String id = String.valueOf(r.get(0));
            List<Float> values = r.getList(1);
            int h = r.getInt(2);
            int w = r.getInt(3);
            float[] v = new float[values.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = values.get(i);
            }
            INDArray map = Nd4j.create(v, new long[] {h, w}, 'c');
            Path file = new Path(base, fileName(id) + (kind == Kind.NPY ? ".npy" : ".png"));
            try (FSDataOutputStream out = fs.create(file, true)) {
                if (kind == Kind.NPY) {
                    Npy.write(map, out);
                } else {
                    boolean signed = map.minNumber().doubleValue() < 0;
                    BufferedImage heat = Heatmaps.heatmap(map, signed ? Colormap.RDBU : Colormap.INFERNO);
                    if (!ImageIO.write(Heatmaps.enlarge(heat, MIN_PNG_SIDE), "png", out)) {
                        throw new UncheckedIOException(new IOException("No PNG writer"));
                    }
                }
            } catch (IOException e) {
                throw new IOException("Cannot write the map of image id=" + id + " to " + file + ": "
                        + e.getMessage(), e);
            }
        }
    }

    /** @return the id as a file name: characters other than letters, digits, '.', '-' and '_' become '_' */
    static String fileName(String id) {
        String s = id.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() || s.startsWith(".") ? "_" + s : s;
    }
}
