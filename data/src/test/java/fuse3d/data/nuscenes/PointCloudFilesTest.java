package fuse3d.data.nuscenes;

import fuse3d.tensor.io.ScratchDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LiDAR .pcd.bin, radar .pcd and camera JPEG files: round trips, hand-made files, and corrupted bytes. */
class PointCloudFilesTest {
    @TempDir
    Path dir;

    @Test
    void lidarRoundTripAndHandMadeBytes() throws Exception {
        Tensor p = Tensor.of(new float[] {1.5f, -2, 0.25f, 17, 3, -40, 10, -1.75f, 0, 31}, 2, 5);
        Path f = dir.resolve("a.pcd.bin");
        LidarPointCloud.write(f, p);
        assertEquals(40, Files.size(f));
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1.5f, b.getFloat(0));
        assertEquals(31f, b.getFloat(36));
        assertArrayEquals(p.toFloatArray(), LidarPointCloud.read(f).toFloatArray());
    }

    @Test
    void lidarErrorsNameTheByte() throws Exception {
        Path f = dir.resolve("bad.pcd.bin");
        Files.write(f, new byte[47]);
        var e = assertThrows(NuScenesFormatException.class, () -> LidarPointCloud.read(f));
        assertEquals("byte 40", e.where());
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(28, Float.NaN);
        Files.write(f, b.array());
        e = assertThrows(NuScenesFormatException.class, () -> LidarPointCloud.read(f));
        assertEquals("byte 28", e.where());
        assertTrue(e.getMessage().contains("point 1, column 2"), e.getMessage());
        Path missing = dir.resolve("none.pcd.bin");
        assertEquals(missing + ": LiDAR file not found", assertThrows(NuScenesFormatException.class, () -> LidarPointCloud.read(missing)).getMessage());
    }

    static Tensor radarReturns(int n, Random r) {
        float[] v = new float[n * 18];
        for (int i = 0; i < n; i++) {
            int o = i * 18;
            for (int f = 0; f < 18; f++) v[o + f] = RadarPointCloud.TYPES[f] == 'F' ? (float) r.nextGaussian() * 20 : r.nextInt(8);
            v[o + 4] = r.nextInt(30000) - 15000; // id is int16
        }
        return Tensor.of(v, n, 18);
    }

    @Test
    void radarHeaderIsTheNuScenesLayoutAndRoundTrips() throws Exception {
        Tensor t = radarReturns(5, new Random(1));
        Path f = dir.resolve("r.pcd");
        RadarPointCloud.write(f, t);
        byte[] bytes = Files.readAllBytes(f);
        String text = new String(bytes, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("# .PCD v0.7 - Point Cloud Data file format\nVERSION 0.7\n"
                + "FIELDS x y z dyn_prop id rcs vx vy vx_comp vy_comp is_quality_valid ambig_state x_rms y_rms invalid_state pdh0 vx_rms vy_rms\n"
                + "SIZE 4 4 4 1 2 4 4 4 4 4 1 1 1 1 1 1 1 1\nTYPE F F F I I F F F F F I I I I I I I I\nCOUNT 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1\n"
                + "WIDTH 5\nHEIGHT 1\nVIEWPOINT 0 0 0 1 0 0 0\nPOINTS 5\nDATA binary\n"));
        int header = text.indexOf("DATA binary\n") + 12;
        assertEquals(header + 5 * 43 + 1, bytes.length); // 43 bytes a point, and the trailing newline the devkit's reader needs
        assertArrayEquals(t.toFloatArray(), RadarPointCloud.read(f).toFloatArray());
    }

    @Test
    void radarDefaultFiltersAndEmptyCloud() throws Exception {
        float[] v = new float[3 * 18];
        // return 0 valid; return 1 invalid_state 1; return 2 ambig_state 1; return 0 has dyn_prop 6 (kept), none has 7
        v[RadarPointCloud.AMBIG_STATE] = 3;
        v[RadarPointCloud.DYN_PROP] = 6;
        v[18 + RadarPointCloud.AMBIG_STATE] = 3;
        v[18 + RadarPointCloud.INVALID_STATE] = 1;
        v[36 + RadarPointCloud.AMBIG_STATE] = 1;
        Path f = dir.resolve("f.pcd");
        RadarPointCloud.write(f, Tensor.of(v, 3, 18));
        assertEquals(3, RadarPointCloud.read(f).size(0));
        Tensor kept = RadarPointCloud.read(f, RadarPointCloud.Filter.defaults());
        assertEquals(1, kept.size(0));
        assertEquals(6f, kept.toFloatArray()[RadarPointCloud.DYN_PROP]);
        Path e = dir.resolve("e.pcd");
        RadarPointCloud.write(e, Tensor.zeros(0, 18));
        assertTrue(Files.readString(e, StandardCharsets.ISO_8859_1).contains("WIDTH 1\n"));
        assertEquals(0, RadarPointCloud.read(e).size(0));
    }

    @Test
    void radarHeaderErrorsNameTheLine() throws Exception {
        Path f = dir.resolve("h.pcd");
        RadarPointCloud.write(f, radarReturns(2, new Random(2)));
        String s = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        Files.write(f, s.replace("SIZE 4 4 4 1 2", "SIZE 4 4 4 2 2").getBytes(StandardCharsets.ISO_8859_1));
        var e = assertThrows(NuScenesFormatException.class, () -> RadarPointCloud.read(f));
        assertEquals("line 4", e.where());
        Files.write(f, s.replace("DATA binary", "DATA ascii").getBytes(StandardCharsets.ISO_8859_1));
        e = assertThrows(NuScenesFormatException.class, () -> RadarPointCloud.read(f));
        assertEquals("line 11", e.where());
        Files.write(f, Arrays.copyOf(s.getBytes(StandardCharsets.ISO_8859_1), s.length() - 20));
        e = assertThrows(NuScenesFormatException.class, () -> RadarPointCloud.read(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    /** Corrupted files: reading either succeeds or fails with a NuScenesFormatException that names a place. */
    @Property(tries = 60)
    void corruptedFilesFailOnlyWithTheDocumentedException(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int how) throws Exception {
        Random r = new Random(seed);
        Path d = Files.createTempDirectory("nusc-corrupt");
        try {
            Path lidar = d.resolve("l.pcd.bin"), radar = d.resolve("r.pcd");
            LidarPointCloud.write(lidar, Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 2, 5));
            RadarPointCloud.write(radar, radarReturns(3, r));
            for (Path f : new Path[] {lidar, radar}) {
                byte[] b = Files.readAllBytes(f);
                byte[] c = switch (how) {
                    case 0 -> Arrays.copyOf(b, r.nextInt(b.length)); // truncation
                    case 1 -> { byte[] x = b.clone(); x[r.nextInt(x.length)] ^= (byte) (1 + r.nextInt(255)); yield x; } // a flipped byte
                    case 2 -> { byte[] x = b.clone(); for (int k = 0; k < 8; k++) x[r.nextInt(x.length)] = (byte) r.nextInt(256); yield x; }
                    default -> { byte[] x = Arrays.copyOf(b, b.length + 1 + r.nextInt(7)); yield x; } // extra bytes
                };
                Files.write(f, c);
                try {
                    if (f == lidar) LidarPointCloud.read(f);
                    else RadarPointCloud.read(f, RadarPointCloud.Filter.defaults());
                } catch (NuScenesFormatException e) {
                    assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
                    assertTrue(e.where() == null || e.where().startsWith("byte ") || e.where().startsWith("line "), e.getMessage());
                }
            }
        } finally {
            ScratchDir.deleteTree(d);
        }
    }

    @Test
    void cameraJpegRoundTripAndBadFile() throws Exception {
        BufferedImage img = new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 32; x++) img.setRGB(x, y, x < 16 ? 0xC83214 : 0x1478C8);
        Path f = dir.resolve("CAM_FRONT.jpg");
        CameraImages.write(f, img);
        Tensor t = CameraImages.readTensor(f);
        assertArrayEquals(new int[] {16, 32, 3}, t.shape());
        float[] v = t.toFloatArray();
        assertEquals(200, v[(8 * 32 + 4) * 3], 6); // JPEG is lossy: within a few levels of the flat colour
        assertEquals(200, v[(8 * 32 + 28) * 3 + 2], 6);
        Files.write(f, new byte[] {1, 2, 3});
        assertThrows(NuScenesFormatException.class, () -> CameraImages.read(f));
    }
}
