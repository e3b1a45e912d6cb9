package fuse3d.data.kitti;

import fuse3d.tensor.io.ScratchDir;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

/**
 * Corrupted files of every KITTI format (truncation, flipped bytes, bad tokens, NaN, wrong counts): the readers
 * either read them or throw {@link KittiFormatException} naming the file and the line or byte offset; nothing else
 * escapes.
 */
class KittiCorruptionProperties {
    Path dir;

    @BeforeProperty
    void makeDir() throws IOException { dir = Files.createTempDirectory("kitti-corrupt"); }

    @AfterProperty
    void removeDir() throws IOException { ScratchDir.deleteTree(dir); }

    interface Reader {
        void read(Path p) throws IOException;
    }

    static final String[] TOKENS = {"x", "NaN", "inf", "", "1e999", "-", "0.5", "1 2", "\u00e9", "\n"};

    /** Replaces a random token of a random line, or drops / duplicates a line, or truncates the text. */
    static String corruptText(String text, Random r) {
        String[] lines = text.split("\n", -1);
        int ln = r.nextInt(lines.length);
        switch (r.nextInt(4)) {
            case 0 -> {
                String[] t = lines[ln].split(" ", -1);
                t[r.nextInt(t.length)] = TOKENS[r.nextInt(TOKENS.length)];
                lines[ln] = String.join(" ", t);
            }
            case 1 -> lines[ln] = lines[ln].substring(0, r.nextInt(lines[ln].length() + 1));
            case 2 -> lines[ln] = lines[ln] + " " + TOKENS[r.nextInt(TOKENS.length)];
            default -> {
                return text.substring(0, r.nextInt(text.length() + 1));
            }
        }
        return String.join("\n", lines);
    }

    static byte[] corruptBytes(byte[] b, Random r) {
        if (r.nextBoolean()) return Arrays.copyOf(b, r.nextInt(b.length + 1));
        byte[] c = b.clone();
        for (int k = 1 + r.nextInt(4); k > 0; k--) c[r.nextInt(c.length)] = (byte) r.nextInt(256);
        return c;
    }

    void check(Path file, Reader reader, boolean binary) {
        try {
            reader.read(file);
        } catch (KittiFormatException e) {
            String m = e.getMessage();
            assertTrue(m.startsWith(file.toString()), m);
            if (!binary) assertTrue(m.contains(" line ") || m.contains("UTF-8") || m.contains("missing ") || m.contains(" at $"), m);
        } catch (Throwable t) {
            throw new AssertionError("unexpected " + t + " reading " + file, t);
        }
    }

    @Property(tries = 150)
    void textFormats(@ForAll long seed, @ForAll @IntRange(min = 0, max = 3) int format) throws IOException {
        Random r = new Random(seed);
        Path f = dir.resolve("f" + format + ".txt");
        String text = switch (format) {
            case 0 -> KittiFormatsTest.LABEL;
            case 1 -> KittiFormatsTest.CALIB;
            case 2 -> "000001\n000002\n000003\n";
            default -> "# Plane\nWidth 4\nHeight 1\n-7.051729e-03 -9.997791e-01 -1.980151e-02 1.680367e+00\n";
        };
        Files.writeString(f, corruptText(text, r), StandardCharsets.UTF_8);
        Reader reader = switch (format) {
            case 0 -> KittiLabels::read;
            case 1 -> KittiCalibFiles::read;
            case 2 -> KittiSplits::read;
            default -> RoadPlane::read;
        };
        check(f, reader, false);
    }

    @Property(tries = 100)
    void binaryFormats(@ForAll long seed, @ForAll @IntRange(min = 0, max = 2) int format) throws IOException {
        Random r = new Random(seed);
        Path f = dir.resolve("b" + format);
        byte[] bytes;
        Reader reader;
        if (format == 0) {
            float[] v = new float[40];
            for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
            KittiLidar.write(f, fuse3d.tensor.Tensor.ofFloats(v, 10, 4));
            reader = KittiLidar::read;
        } else {
            byte[] rgb = new byte[3 * 8 * 6];
            r.nextBytes(rgb);
            KittiImages.writeRgb(f, new KittiImages.RgbImage(8, 6, rgb));
            if (format == 2) KittiImages.writeDepth(f, new KittiImages.DepthMap(3, 2, new float[] {0, 1, 2, 3, 4, 5}));
            reader = format == 1 ? KittiImages::readRgb : KittiImages::readDepth;
        }
        bytes = Files.readAllBytes(f);
        Files.write(f, corruptBytes(bytes, r));
        check(f, reader, true);
    }

    @Property(tries = 60)
    void infoJson(@ForAll long seed) throws IOException {
        Random r = new Random(seed);
        KittiObject car = KittiLabels.parse(KittiFormatsTest.LABEL, dir.resolve("l")).get(0);
        var calib = fuse3d.sparse.bev.KittiCalibration.parse(KittiFormatsTest.CALIB, "calib");
        KittiInfo info = new KittiInfo("000001", 4, 375, 1242, KittiInfos.pad(calib.projection(2), 3, 4), KittiInfos.pad(calib.r0Rect(), 3, 3),
                KittiInfos.pad(calib.trVeloToCam(), 3, 4), KittiInfos.annotations(List.of(car), calib, null, new int[] {375, 1242}));
        Path f = dir.resolve("infos.json");
        KittiInfos.write(f, List.of(info));
        String text = Files.readString(f);
        // corrupt a JSON value or structure: drop a random span, or swap a number for a string
        String bad = r.nextBoolean() ? text.substring(0, r.nextInt(text.length())) + text.substring(Math.min(text.length(), r.nextInt(text.length()) + 1))
                : text.replaceFirst("\\d+\\.\\d+", r.nextBoolean() ? "\"x\"" : "[]");
        Files.writeString(f, bad);
        check(f, KittiInfos::read, false);
    }
}
