package fuse3d.data.kitti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every KITTI format against hand-made files whose values are known, round trips, and the errors of bad files. */
class KittiFormatsTest {
    @TempDir
    Path tmp;

    static final String LABEL = """
            Car 0.00 0 1.85 387.63 181.54 423.81 203.12 1.67 1.87 3.69 -16.53 2.39 58.49 1.57
            Cyclist 0.50 3 -1.65 676.60 163.95 688.98 193.93 1.86 0.60 2.02 4.59 1.32 45.84 -1.55

            DontCare -1 -1 -10 503.89 169.71 590.61 190.13 -1 -1 -1 -1000 -1000 -1000 -10
            """;

    @Test
    void labelsReadTheFieldsInOrder() throws Exception {
        Path f = tmp.resolve("000001.txt");
        Files.writeString(f, LABEL);
        List<KittiObject> l = KittiLabels.read(f);
        assertEquals(3, l.size()); // the blank line is skipped, DontCare kept
        KittiObject c = l.get(0);
        assertEquals(new KittiObject("Car", 0, 0, 1.85, 387.63, 181.54, 423.81, 203.12, 1.67, 1.87, 3.69, -16.53, 2.39, 58.49, 1.57, Double.NaN), c);
        assertFalse(c.hasScore());
        assertArrayEquals(new double[] {3.69, 1.67, 1.87}, c.dimensionsLhw());
        assertArrayEquals(new double[] {-16.53, 2.39, 58.49, 3.69, 1.67, 1.87, 1.57}, c.cameraBox());
        assertEquals(3, l.get(1).occluded());
        assertTrue(l.get(2).isDontCare());
        // levels: 21.58 + 1 px tall -> hard is the most it can be (>= 25 fails) -> -1; the cyclist (30.98 + 1 px, occluded 3) -> -1
        assertEquals(-1, c.level());
        assertEquals(-1, l.get(1).level());
        assertEquals(0, KittiObject.label("Car", 0, 0, 0, new double[] {0, 0, 10, 39}, new double[] {1, 1, 1}, new double[] {0, 0, 0}, 0).level());
        // detections: the 16th field
        KittiObject d = KittiLabels.parse("Pedestrian -1 -1 0.2 1 2 3 4 1.7 0.6 0.8 1 2 3 0.1 0.8731\n", tmp.resolve("d.txt")).get(0);
        assertEquals(0.8731, d.score());
        // a write-read round trip is exact, and KITTI-looking numbers keep their look
        Path g = tmp.resolve("out/000001.txt");
        KittiLabels.write(g, l);
        assertEquals(l, KittiLabels.read(g));
        assertTrue(Files.readString(g).startsWith("Car 0.00 0 1.85 387.63 181.54 423.81 203.12 1.67 1.87 3.69 -16.53 2.39 58.49 1.57\n"), Files.readString(g));
        KittiObject odd = d.withScore(1.0 / 3);
        assertEquals(odd, KittiLabels.parse(KittiLabels.format(List.of(odd)), g).get(0));
    }

    @Test
    void badLabelsNameTheLine() throws Exception {
        Path f = tmp.resolve("bad.txt");
        String[] bad = {
            "Car 0 0 1 2 3 4 5 6 7 8 9 10 11\n",                        // 14 fields
            "Car 0 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14\n",               // 17 fields
            "Car 0 0 1 2 3 x 5 6 7 8 9 10 11 12\n",                     // not a number
            "Car 0 0 1 2 3 4 5 NaN 7 8 9 10 11 12\n",                   // NaN
            "Car 0 0.5 1 2 3 4 5 6 7 8 9 10 11 12\n"};                  // occlusion not an integer
        String[] says = {"15 fields", "15 fields", "bbox x2", "height", "occluded"};
        for (int i = 0; i < bad.length; i++) {
            Files.writeString(f, "Car 0 0 1 2 3 4 5 6 7 8 9 10 11 12\n\n" + bad[i]);
            KittiFormatException e = assertThrows(KittiFormatException.class, () -> KittiLabels.read(f));
            assertTrue(e.getMessage().startsWith(f + " line 3: "), e.getMessage());
            assertTrue(e.getMessage().contains(says[i]), e.getMessage());
        }
        KittiFormatException e = assertThrows(KittiFormatException.class, () -> KittiLabels.read(tmp.resolve("missing.txt")));
        assertTrue(e.getMessage().contains("missing.txt") && e.getMessage().contains("no such file"), e.getMessage());
    }

    @Test
    void velodyneIsLittleEndianFloat32Quads() throws Exception {
        Path f = tmp.resolve("velodyne/000000.bin");
        Files.createDirectories(f.getParent());
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : new float[] {1.5f, -2, 3, 0.25f, 10, 20, -0.5f, 0}) b.putFloat(v);
        Files.write(f, b.array());
        Tensor p = KittiLidar.read(f);
        assertArrayEquals(new int[] {2, 4}, p.shape());
        assertArrayEquals(new float[] {1.5f, -2, 3, 0.25f, 10, 20, -0.5f, 0}, p.toFloatArray());
        Path g = tmp.resolve("copy.bin");
        KittiLidar.write(g, p);
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(g));
        // another feature count reads the same bytes as wider records
        assertArrayEquals(new int[] {1, 8}, KittiLidar.read(f, 8).shape());
        // truncated: the offset of the partial record
        Files.write(g, Arrays.copyOf(b.array(), 30));
        KittiFormatException e = assertThrows(KittiFormatException.class, () -> KittiLidar.read(g));
        assertTrue(e.getMessage().startsWith(g + " byte 16: "), e.getMessage());
        // NaN: the offset of the value
        b.putFloat(20, Float.NaN);
        Files.write(g, b.array());
        e = assertThrows(KittiFormatException.class, () -> KittiLidar.read(g));
        assertTrue(e.getMessage().startsWith(g + " byte 20: "), e.getMessage());
    }

    static final String CALIB = """
            P0: 7.070493000000e+02 0.000000000000e+00 6.040814000000e+02 0.000000000000e+00 0.000000000000e+00 7.070493000000e+02 1.805066000000e+02 0.000000000000e+00 0.000000000000e+00 0.000000000000e+00 1.000000000000e+00 0.000000000000e+00
            P1: 7.070493000000e+02 0.000000000000e+00 6.040814000000e+02 -3.797842000000e+02 0.000000000000e+00 7.070493000000e+02 1.805066000000e+02 0.000000000000e+00 0.000000000000e+00 0.000000000000e+00 1.000000000000e+00 0.000000000000e+00
            P2: 7.070493000000e+02 0.000000000000e+00 6.040814000000e+02 4.575831000000e+01 0.000000000000e+00 7.070493000000e+02 1.805066000000e+02 -3.454157000000e-01 0.000000000000e+00 0.000000000000e+00 1.000000000000e+00 4.981016000000e-03
            P3: 7.070493000000e+02 0.000000000000e+00 6.040814000000e+02 -3.341081000000e+02 0.000000000000e+00 7.070493000000e+02 1.805066000000e+02 2.330660000000e+00 0.000000000000e+00 0.000000000000e+00 1.000000000000e+00 3.201153000000e-03
            R0_rect: 9.999128000000e-01 1.009263000000e-02 -8.511932000000e-03 -1.012729000000e-02 9.999406000000e-01 -4.037671000000e-03 8.470675000000e-03 4.123522000000e-03 9.999556000000e-01
            Tr_velo_to_cam: 6.927964000000e-03 -9.999722000000e-01 -2.757829000000e-03 -2.457729000000e-02 -1.162982000000e-03 2.749836000000e-03 -9.999955000000e-01 -6.127237000000e-02 9.999753000000e-01 6.931141000000e-03 -1.143899000000e-03 -3.321029000000e-01
            Tr_imu_to_velo: 9.999976000000e-01 7.553071000000e-04 -2.035826000000e-03 -8.086759000000e-01 -7.854027000000e-04 9.998898000000e-01 -1.482298000000e-02 3.195559000000e-01 2.024406000000e-03 1.482454000000e-02 9.998881000000e-01 -7.997231000000e-01
            """;

    @Test
    void calibrationWritesKittisOwnLayout() throws Exception {
        Path f = tmp.resolve("calib/000000.txt");
        Files.createDirectories(f.getParent());
        Files.writeString(f, CALIB);
        KittiCalibration c = KittiCalibFiles.read(f);
        assertEquals(707.0493, c.projection(2)[0]);
        Path g = tmp.resolve("out.txt");
        KittiCalibFiles.write(g, c);
        assertEquals(CALIB, Files.readString(g)); // byte for byte
        // from matrices, exactly, and without the optional ones
        double[] p2 = c.projection(2);
        p2[3] = 1.0 / 3;
        KittiCalibration d = KittiCalibFiles.of(new double[][] {null, null, p2, null}, c.r0Rect(), c.trVeloToCam(), null);
        assertArrayEquals(p2, d.projection(2));
        assertNull(d.imuToLidar());
        assertFalse(KittiCalibFiles.format(d).contains("P0"));
        Files.writeString(g, CALIB.replace("R0_rect: 9.999128000000e-01", "R0_rect: 9.9991x8e-01"));
        KittiFormatException e = assertThrows(KittiFormatException.class, () -> KittiCalibFiles.read(g));
        assertTrue(e.getMessage().contains(g + " line 5"), e.getMessage());
    }

    @Test
    void rgbAndDepthPngs() throws Exception {
        byte[] rgb = new byte[3 * 5 * 4];
        for (int i = 0; i < rgb.length; i++) rgb[i] = (byte) (i * 37);
        var img = new KittiImages.RgbImage(5, 4, rgb);
        Path f = tmp.resolve("image_2/000000.png");
        KittiImages.writeRgb(f, img);
        var back = KittiImages.readRgb(f);
        assertArrayEquals(rgb, back.rgb());
        assertArrayEquals(new int[] {4, 5}, KittiImages.shape(f));
        assertEquals(rgb[3 * 6 + 2] & 0xff, back.get(1, 1, 2));
        assertArrayEquals(new int[] {4, 5, 3}, back.toTensor().shape());
        // depth: multiples of 1/256 m survive exactly, 0 stays "no depth", negative and NaN become 0
        float[] d = {0, 1f / 256, 12.5f, 80.25f, 255.99609375f, -3, Float.NaN, 7};
        Path g = tmp.resolve("velodyne_depth/000000.png");
        KittiImages.writeDepth(g, new KittiImages.DepthMap(4, 2, d));
        float[] r = KittiImages.readDepth(g).depth();
        assertArrayEquals(new float[] {0, 1f / 256, 12.5f, 80.25f, 255.99609375f, 0, 0, 7}, r);
        assertThrows(IllegalArgumentException.class, () -> KittiImages.writeDepth(g, new KittiImages.DepthMap(1, 1, new float[] {256.5f})));
        // an 8-bit colour PNG is not a depth map; a non-PNG and a truncated PNG name the file
        KittiFormatException e = assertThrows(KittiFormatException.class, () -> KittiImages.readDepth(f));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("16-bit"), e.getMessage());
        Path h = tmp.resolve("x.png");
        Files.writeString(h, "GIF89a....");
        e = assertThrows(KittiFormatException.class, () -> KittiImages.readRgb(h));
        assertTrue(e.getMessage().startsWith(h + " byte 0: "), e.getMessage());
        byte[] png = Files.readAllBytes(f);
        Files.write(h, Arrays.copyOf(png, png.length / 2));
        e = assertThrows(KittiFormatException.class, () -> KittiImages.readRgb(h));
        assertTrue(e.getMessage().startsWith(h.toString()), e.getMessage());
    }

    @Test
    void splitsAndPlanes() throws Exception {
        Path s = tmp.resolve("ImageSets/val.txt");
        Files.createDirectories(s.getParent());
        Files.writeString(s, "000001\n000004\r\n\n000007\n");
        assertEquals(List.of("000001", "000004", "000007"), KittiSplits.read(s));
        KittiSplits.write(s, List.of("a", "b"));
        assertEquals("a\nb\n", Files.readString(s));
        Files.writeString(s, "000001\n000 2\n");
        assertTrue(assertThrows(KittiFormatException.class, () -> KittiSplits.read(s)).getMessage().startsWith(s + " line 2: "));

        Path p = tmp.resolve("planes/000000.txt");
        Files.createDirectories(p.getParent());
        Files.writeString(p, "# Plane\nWidth 4\nHeight 1\n-7.051729e-03 -9.997791e-01 -1.980151e-02 1.680367e+00\n");
        RoadPlane plane = RoadPlane.read(p);
        assertEquals(new RoadPlane(-7.051729e-03, -9.997791e-01, -1.980151e-02, 1.680367e+00), plane);
        RoadPlane up = plane.upwardUnit();
        assertTrue(up.b() < 0);
        assertEquals(1, up.a() * up.a() + up.b() * up.b() + up.c() * up.c(), 1e-12);
        // a plane written with b > 0 is flipped to point up
        RoadPlane flipped = new RoadPlane(0, 2, 0, -3.4).upwardUnit();
        assertEquals(new RoadPlane(-0.0, -1, -0.0, 1.7), flipped);
        assertEquals(1.7, new RoadPlane(0, -1, 0, 1.7).heightAt(3, 20), 1e-12);
        plane.write(p);
        assertEquals(plane, RoadPlane.read(p));
        Files.writeString(p, "# Plane\nWidth 4\nHeight 1\n1 2 3\n");
        assertTrue(assertThrows(KittiFormatException.class, () -> RoadPlane.read(p)).getMessage().startsWith(p + " line 4: "));
    }
}
