package fuse3d.data.augment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import fuse3d.data.augment.DepthCompletion.Blur;
import fuse3d.data.augment.DepthCompletion.Options;
import fuse3d.data.kitti.KittiCalibFiles;
import fuse3d.data.kitti.KittiImages;
import fuse3d.data.kitti.KittiLidar;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.Npy;
import fuse3d.tensor.io.RawArray;
import fuse3d.tensor.testing.SampleData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * IP-Basic's fill_in_fast: small maps by hand, the numpy/scipy re-derivation in tests/golden/data/gen_ipbasic.py
 * (golden/ipbasic.npz), and the real KITTI frame 000000 when the sample data is present.
 */
class DepthCompletionTest {
    private static Map<String, RawArray> golden;

    @BeforeAll
    static void load() throws IOException {
        Path tmp = Files.createTempFile("ipbasic", ".npz");
        try (InputStream in = DepthCompletionTest.class.getResourceAsStream("/golden/ipbasic.npz")) {
            Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            golden = Npy.readNpz(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @ParameterizedTest
    @CsvSource({"BILATERAL,false", "BILATERAL,true", "GAUSSIAN,false", "GAUSSIAN,true"})
    void aConstantPlaneStaysConstant(Blur blur, boolean extrapolate) {
        float[] d = new float[9 * 13];
        Arrays.fill(d, 12.5f);
        float[] out = DepthCompletion.fillInFast(d, 9, 13, new Options(100, extrapolate, blur));
        for (float v : out) assertEquals(12.5f, v, 1e-4f);
    }

    @ParameterizedTest
    @CsvSource({"BILATERAL,false", "GAUSSIAN,false", "GAUSSIAN,true"})
    void holesOfASparseGridAreFilled(Blur blur, boolean extrapolate) {
        // one point every 4 pixels at 20 m: the diamond dilation and the 5x5 closing close every gap
        int h = 17, w = 21;
        float[] d = new float[h * w];
        for (int y = 0; y < h; y += 4) for (int x = 0; x < w; x += 4) d[y * w + x] = 20f;
        float[] out = DepthCompletion.fillInFast(d, h, w, new Options(100, extrapolate, blur));
        for (float v : out) {
            assertTrue(Float.isFinite(v));
            assertEquals(20f, v, 1e-3f);
        }
    }

    @Test
    void emptyMapStaysEmptyAndExtrapolationFillsTheTop() {
        float[] out = DepthCompletion.fillInFast(new float[6 * 8], 6, 8, Options.DEFAULT);
        for (float v : out) assertEquals(0f, v);
        // a single row of points at row 10: without extrapolation the top rows stay empty, with it they take the row's value
        int h = 24, w = 10;
        float[] d = new float[h * w];
        for (int x = 0; x < w; x++) d[10 * w + x] = 30f;
        float[] plain = DepthCompletion.fillInFast(d, h, w, new Options(100, false, Blur.GAUSSIAN));
        float[] ext = DepthCompletion.fillInFast(d, h, w, new Options(100, true, Blur.GAUSSIAN));
        assertEquals(0f, plain[0]);
        assertEquals(30f, ext[0], 1e-4f);
        assertEquals(30f, ext[10 * w + 5], 1e-4f);
    }

    @ParameterizedTest
    @CsvSource({"0,gaussian,0", "0,gaussian,1", "0,bilateral,0", "0,bilateral,1", "1,gaussian,0", "1,bilateral,1", "2,gaussian,1",
        "2,bilateral,0", "3,gaussian,0", "3,gaussian,1", "3,bilateral,0", "3,bilateral,1", "1,gaussian,1", "1,bilateral,0",
        "2,gaussian,0", "2,bilateral,1"})
    void matchesTheNumpyReference(int c, String blur, int ex) {
        RawArray in = golden.get("case" + c + "/input");
        int[] shape = in.shape();
        float[] want = golden.get("case" + c + "/" + blur + "_" + ex).toFloatArray();
        float[] got = DepthCompletion.fillInFast(in.toFloatArray(), shape[0], shape[1],
                new Options(100, ex == 1, blur.equals("gaussian") ? Blur.GAUSSIAN : Blur.BILATERAL));
        // float32 sums in a different order: a few ulps of the inverted depth (~100)
        for (int i = 0; i < want.length; i++)
            assertEquals(want[i], got[i], 1e-3f, "case" + c + " " + blur + " extrapolate=" + ex + " pixel " + i);
    }

    @Test
    void realKittiFrameCompletesAndItsPseudoPointsLandOnTheLidar() throws IOException {
        var kitti = SampleData.find("kitti/training/velodyne/000000.bin");
        assumeTrue(kitti.isPresent(), SampleData.missing("kitti/training/velodyne/000000.bin"));
        Path tr = kitti.get().getParent().getParent();
        Tensor points = KittiLidar.read(tr.resolve("velodyne/000000.bin"));
        KittiCalibration calib = KittiCalibFiles.read(tr.resolve("calib/000000.txt"));
        KittiImages.RgbImage img = KittiImages.readRgb(tr.resolve("image_2/000000.png"));
        int h = img.height(), w = img.width();
        Tensor sparse = DepthCompletion.projectLidarDepth(points, calib, h, w);
        float[] s = sparse.toFloatArray();
        long nSparse = 0;
        for (float v : s) if (v > 0) nSparse++;
        assertTrue(nSparse > 10_000, "projected LiDAR pixels: " + nSparse);
        float[] dense = DepthCompletion.fillInFast(s, h, w, Options.DEFAULT);
        // below the top LiDAR row (KITTI's HDL-64 covers roughly the lower 2/3 of the image) nearly every pixel has depth
        int top = h;
        for (int i = 0; i < s.length; i++) if (s[i] > 0) top = Math.min(top, i / w);
        long filled = 0, total = 0;
        for (int y = top + 10; y < h; y++)
            for (int x = 0; x < w; x++) {
                float v = dense[y * w + x];
                assertTrue(Float.isFinite(v) && v >= 0, "pixel " + y + "," + x + " = " + v);
                total++;
                if (v > 0) filled++;
            }
        assertTrue(filled > 0.95 * total, "filled " + filled + " of " + total);
        // pseudo points at the LiDAR pixels (completed depth) against the back-projected LiDAR depth there
        float[] atLidar = new float[s.length];
        for (int i = 0; i < s.length; i++) if (s[i] > 0) atLidar[i] = dense[i];
        Tensor fromDense = PseudoPoints.fromDepth(Tensor.ofFloats(atLidar, h, w), img, calib, 1, 1e9);
        Tensor fromLidar = PseudoPoints.fromDepth(sparse, img, calib, 1, 1e9);
        assertEquals(fromLidar.size(0), fromDense.size(0));
        float[] a = fromDense.toFloatArray(), b = fromLidar.toFloatArray();
        int n = fromLidar.size(0);
        double[] dist = new double[n];
        for (int i = 0; i < n; i++) {
            double dx = a[i * 6] - b[i * 6], dy = a[i * 6 + 1] - b[i * 6 + 1], dz = a[i * 6 + 2] - b[i * 6 + 2];
            dist[i] = Math.sqrt(dx * dx + dy * dy + dz * dz);
        }
        Arrays.sort(dist);
        assertTrue(dist[n / 2] < 0.2, "median distance " + dist[n / 2]);
        assertTrue(dist[(int) (0.8 * n)] < 1.0, "80th percentile distance " + dist[(int) (0.8 * n)]);
        // and a back-projected LiDAR pixel is its LiDAR point up to the pixel rounding (< 0.5 px at the point's depth)
        assertEquals(6, fromLidar.size(1));
        for (int i = 0; i < n; i++) for (int c = 3; c < 6; c++) assertTrue(b[i * 6 + c] >= 0 && b[i * 6 + c] <= 1);
    }

    @Test
    void projectionKeepsTheNearestPointPerPixel() {
        // identity-like calibration: P2 = [f 0 c 0; 0 f c 0; 0 0 1 0], rect = I, velo->cam maps lidar x forward to cam z
        double[] p2 = {100, 0, 5, 0, 0, 100, 5, 0, 0, 0, 1, 0};
        double[] r0 = {1, 0, 0, 0, 1, 0, 0, 0, 1};
        double[] tr = {0, -1, 0, 0, 0, 0, -1, 0, 1, 0, 0, 0};
        KittiCalibration calib = KittiCalibration.of(p2, r0, tr);
        // two points on the optical axis (pixel 5,5) at 10 m and 4 m, one behind the camera
        Tensor pts = Tensor.ofFloats(new float[] {10, 0, 0, 0, 4, 0, 0, 0, -3, 0, 0, 0}, 3, 4);
        float[] d = DepthCompletion.projectLidarDepth(pts, calib, 11, 11).toFloatArray();
        assertEquals(4f, d[5 * 11 + 5], 1e-6f);
        float sum = 0;
        for (float v : d) sum += v;
        assertEquals(4f, sum, 1e-6f);
        // back-projection of that pixel returns the point
        KittiImages.RgbImage img = new KittiImages.RgbImage(11, 11, new byte[11 * 11 * 3]);
        float[] pp = PseudoPoints.fromDepth(Tensor.ofFloats(d, 11, 11), img, calib, 1, 100).toFloatArray();
        assertArrayEquals(new float[] {4, 0, 0, 0, 0, 0}, pp, 1e-5f);
    }
}
