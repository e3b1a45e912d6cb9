package fuse3d.data.kitti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import fuse3d.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Write-read round trips of the KITTI formats over arbitrary values. */
class KittiFormatProperties {

    @Property(tries = 200)
    void labelLinesRoundTripExactly(@ForAll @Size(15) List<@DoubleRange(min = -1e6, max = 1e6) Double> v, @ForAll @IntRange(min = -1, max = 3) int occ,
                                    @ForAll boolean withScore) throws Exception {
        KittiObject o = new KittiObject("Person_sitting", v.get(0), occ, v.get(1), v.get(2), v.get(3), v.get(4), v.get(5), v.get(6), v.get(7), v.get(8),
                v.get(9), v.get(10), v.get(11), v.get(12), withScore ? v.get(13) : Double.NaN);
        assertEquals(List.of(o), KittiLabels.parse(KittiLabels.format(List.of(o)), Path.of("p.txt")));
    }

    @Property(tries = 30)
    void scansRoundTripExactly(@ForAll @Size(max = 64) List<Float> values) throws Exception {
        int n = values.size() / 4;
        float[] v = new float[n * 4];
        for (int i = 0; i < v.length; i++) v[i] = Float.isFinite(values.get(i)) ? values.get(i) : 0;
        Path f = Files.createTempFile("scan", ".bin");
        try {
            KittiLidar.write(f, Tensor.ofFloats(v, n, 4));
            Tensor back = KittiLidar.read(f);
            assertArrayEquals(new int[] {n, 4}, back.shape());
            assertArrayEquals(v, back.toFloatArray());
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Property(tries = 30)
    void depthRoundTripsToTheQuantum(@ForAll @Size(min = 6, max = 6) List<@DoubleRange(min = 0, max = 255) Double> d) throws Exception {
        float[] v = new float[6];
        for (int i = 0; i < 6; i++) v[i] = d.get(i).floatValue();
        Path f = Files.createTempFile("depth", ".png");
        try {
            KittiImages.writeDepth(f, new KittiImages.DepthMap(3, 2, v));
            float[] back = KittiImages.readDepth(f).depth();
            for (int i = 0; i < 6; i++) assertEquals(v[i], back[i], 0.5 / 256 + 1e-6, "pixel " + i);
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
