package fuse3d.data;

import fuse3d.tensor.io.ScratchDir;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import fuse3d.data.kitti.KittiCalibFiles;
import fuse3d.data.kitti.KittiDataset;
import fuse3d.data.kitti.KittiFormatException;
import fuse3d.data.kitti.KittiGtDatabase;
import fuse3d.data.kitti.KittiImages;
import fuse3d.data.kitti.KittiInfo;
import fuse3d.data.kitti.KittiInfos;
import fuse3d.data.kitti.KittiLabels;
import fuse3d.data.kitti.KittiLidar;
import fuse3d.data.kitti.KittiObject;
import fuse3d.data.kitti.KittiSplits;
import fuse3d.data.kitti.RoadPlane;
import fuse3d.data.nuscenes.CameraImages;
import fuse3d.data.nuscenes.DetectionBox;
import fuse3d.data.nuscenes.DetectionResults;
import fuse3d.data.nuscenes.LidarPointCloud;
import fuse3d.data.nuscenes.NuScenesFormatException;
import fuse3d.data.nuscenes.NuScenesTables;
import fuse3d.data.nuscenes.RadarPointCloud;
import fuse3d.data.occ3d.Occ3dLabels;
import fuse3d.data.synth.SyntheticKitti;
import fuse3d.data.synth.SyntheticNuScenes;
import fuse3d.tensor.Tensor;
import fuse3d.tensor.io.ArrayFileException;
import fuse3d.tensor.io.Npy;
import fuse3d.tensor.io.RawArray;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The one corruption property over every format the data module reads (issue 5, "Bad input"): a valid file,
 * written by the module's own writers or synthetic generators, is corrupted in one of the documented ways of
 * {@link Corruption}; reading it then either succeeds or throws the reader's documented exception type only
 * (KittiFormatException, NuScenesFormatException, ArrayFileException), whose message names the corrupted file and,
 * unless the whole file is at fault, where in it (line, byte, JSON path or array).
 *
 * <p>The per-format corruption tests in the kitti, nuscenes and occ3d packages go deeper into each format; this
 * property is the cross-format guarantee that nothing else (an IndexOutOfBounds, NullPointer, NumberFormat or
 * IllegalArgument from deep inside, or a bare Jackson or zip exception) ever escapes a reader.
 */
class FormatCorruptionProperties {

    /** The ways a file is damaged; the property draws one per try. */
    enum Corruption {
        /** Cut the file at a random byte (0 = empty file). */
        TRUNCATE,
        /** XOR a random byte with a random non-zero mask. */
        FLIP_BYTE,
        /** Remove one '\n'-terminated line (in a binary file: the bytes between two newlines). */
        DELETE_LINE,
        /** Repeat one line. */
        DUPLICATE_LINE,
        /** Replace one decimal number by garbage, NaN, inf, a huge value, a negative or an off-by-one count. */
        REPLACE_NUMBER,
        /** Delete the file. */
        MISSING_FILE,
        /** npz only: rename an array. */
        NPZ_RENAME_ARRAY,
        /** npz only: store an array as another dtype (float32, int64, or int32 with out-of-range values). */
        NPZ_WRONG_DTYPE,
        /** npz only: store an array with another shape (2-D, or a mask that disagrees with the labels). */
        NPZ_WRONG_SHAPE
    }

    /** Reads the specimen in {@code dir}; returns what it read so the test can check it is not null. */
    interface Reader {
        Object read(Path dir) throws IOException;
    }

    /**
     * One format: its specimen directory (valid files), the files a corruption may hit (relative to it), the
     * reader, and the one exception type the reader documents.
     */
    record Format(String name, Path specimen, List<String> files, Reader reader, Class<? extends IOException> documented, boolean npz) {
        @Override
        public String toString() { return name; }
    }

    static Path root;
    static final List<Format> FORMATS = new ArrayList<>();

    @BeforeContainer
    static void writeSpecimens() throws IOException {
        root = Files.createTempDirectory("format-corruption");
        FORMATS.clear();
        kittiSpecimens();
        nuScenesSpecimens();
        occ3dSpecimens();
    }

    @AfterContainer
    static void removeSpecimens() throws IOException {
        if (root == null) return;
        ScratchDir.deleteTree(root);
    }

    // ------------------------------------------------------------------------------------------------------
    // Specimens: small valid files of every format.

    static Path dir(String name) throws IOException { return Files.createDirectories(root.resolve("specimens").resolve(name)); }

    static void add(String name, Path specimen, List<String> files, Reader reader, Class<? extends IOException> documented) {
        FORMATS.add(new Format(name, specimen, files, reader, documented, false));
    }

    static Tensor randomPoints(Random r, int n, int dims) {
        float[] v = new float[n * dims];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 10);
        return Tensor.ofFloats(v, n, dims);
    }

    static void kittiSpecimens() throws IOException {
        Random r = new Random(5);
        Class<KittiFormatException> kfe = KittiFormatException.class;

        Path d = dir("kitti-velodyne");
        KittiLidar.write(d.resolve("000000.bin"), randomPoints(r, 40, 4));
        add("KITTI velodyne .bin", d, List.of("000000.bin"), s -> KittiLidar.read(s.resolve("000000.bin")), kfe);

        d = dir("kitti-calib");
        KittiCalibFiles.write(d.resolve("000000.txt"), SyntheticKitti.calibration());
        add("KITTI calib .txt", d, List.of("000000.txt"), s -> KittiCalibFiles.read(s.resolve("000000.txt")), kfe);

        d = dir("kitti-label");
        KittiLabels.write(d.resolve("000000.txt"), List.of(
                KittiObject.label("Car", 0.0, 0, -1.57, new double[] {600, 170, 680, 220}, new double[] {1.5, 1.6, 3.9}, new double[] {1.0, 1.7, 20.0}, -1.52),
                KittiObject.label("Pedestrian", 0.3, 1, 0.2, new double[] {300, 160, 330, 230}, new double[] {1.7, 0.6, 0.8}, new double[] {-4.0, 1.7, 12.0}, 0.1),
                KittiObject.label("DontCare", -1, -1, KittiObject.NO_ALPHA, new double[] {10, 10, 40, 40}, new double[] {-1, -1, -1},
                        new double[] {-1000, -1000, -1000}, -10)));
        add("KITTI label_2 .txt", d, List.of("000000.txt"), s -> KittiLabels.read(s.resolve("000000.txt")), kfe);

        d = dir("kitti-image");
        byte[] rgb = new byte[3 * 16 * 8];
        r.nextBytes(rgb);
        KittiImages.writeRgb(d.resolve("000000.png"), new KittiImages.RgbImage(16, 8, rgb));
        add("KITTI image_2 PNG", d, List.of("000000.png"), s -> KittiImages.readRgb(s.resolve("000000.png")), kfe);

        d = dir("kitti-depth");
        float[] depth = new float[16 * 8];
        for (int i = 0; i < depth.length; i++) depth[i] = i % 3 == 0 ? 0 : 1 + r.nextFloat() * 80;
        KittiImages.writeDepth(d.resolve("000000.png"), new KittiImages.DepthMap(16, 8, depth));
        add("KITTI depth PNG", d, List.of("000000.png"), s -> KittiImages.readDepth(s.resolve("000000.png")), kfe);

        d = dir("kitti-imagesets");
        KittiSplits.write(d.resolve("train.txt"), List.of("000000", "000002", "000004"));
        add("KITTI ImageSets", d, List.of("train.txt"), s -> KittiSplits.read(s.resolve("train.txt")), kfe);

        d = dir("kitti-planes");
        new RoadPlane(-0.01, -0.9999, 0.005, 1.65).write(d.resolve("000000.txt"));
        add("KITTI planes", d, List.of("000000.txt"), s -> RoadPlane.read(s.resolve("000000.txt")), kfe);

        // Infos and the GT database come from a one-frame synthetic KITTI tree, as a user's pipeline makes them.
        Path tree = root.resolve("kitti-tree");
        SyntheticKitti.write(tree, 1, 11, null);
        KittiDataset ds = KittiDataset.open(tree, "train");
        List<KittiInfo> infos = KittiInfos.create(ds);
        d = dir("kitti-infos");
        KittiInfos.write(d.resolve("kitti_infos_train.json"), infos);
        add("KITTI infos JSON", d, List.of("kitti_infos_train.json"), s -> KittiInfos.read(s.resolve("kitti_infos_train.json")), kfe);

        Map<String, List<KittiGtDatabase.DbInfo>> db = KittiGtDatabase.create(ds, infos, Set.of("Car", "Pedestrian", "Cyclist"));
        d = dir("kitti-gtdb");
        List<String> files = new ArrayList<>(List.of("kitti_dbinfos_train.json"));
        Map<String, List<KittiGtDatabase.DbInfo>> kept = new LinkedHashMap<>();
        int copied = 0;
        for (var e : db.entrySet()) {
            List<KittiGtDatabase.DbInfo> l = new ArrayList<>();
            for (KittiGtDatabase.DbInfo info : e.getValue()) {
                if (copied == 3) break; // a few objects are enough, and keep every try's copy small
                Path src = tree.resolve(info.path());
                Files.createDirectories(d.resolve(info.path()).getParent());
                Files.copy(src, d.resolve(info.path()));
                files.add(info.path());
                l.add(info);
                copied++;
            }
            if (!l.isEmpty()) kept.put(e.getKey(), l);
        }
        assertTrue(copied > 0, "the synthetic frame has GT database objects");
        KittiGtDatabase.write(d.resolve("kitti_dbinfos_train.json"), kept);
        add("KITTI GT database", d, files, s -> {
            var read = KittiGtDatabase.read(s.resolve("kitti_dbinfos_train.json"));
            List<Tensor> pts = new ArrayList<>();
            for (var l : read.values()) for (var info : l) pts.add(KittiGtDatabase.points(s, info));
            return pts;
        }, kfe);
    }

    static void nuScenesSpecimens() throws IOException {
        Random r = new Random(6);
        Class<NuScenesFormatException> nfe = NuScenesFormatException.class;

        // Tables: one tiny synthetic scene; only the table folder is kept as the specimen.
        Path ns = root.resolve("nuscenes-tree");
        SyntheticNuScenes.write(ns, 1, 13, new SyntheticNuScenes.Config(2, 0, 40), null);
        Path d = dir("nuscenes-tables");
        List<String> tables = new ArrayList<>();
        try (Stream<Path> s = Files.list(ns.resolve(SyntheticNuScenes.VERSION))) {
            for (Path p : s.sorted().toList()) {
                Files.copy(p, d.resolve(p.getFileName()));
                tables.add(p.getFileName().toString());
            }
        }
        add("nuScenes tables JSON", d, tables, NuScenesTables::load, nfe);

        d = dir("nuscenes-lidar");
        LidarPointCloud.write(d.resolve("sweep.pcd.bin"), randomPoints(r, 40, 5));
        add("nuScenes .pcd.bin", d, List.of("sweep.pcd.bin"), s -> LidarPointCloud.read(s.resolve("sweep.pcd.bin")), nfe);

        d = dir("nuscenes-radar");
        float[] radar = new float[6 * 18];
        for (int i = 0; i < 6; i++)
            for (int f = 0; f < 18; f++)
                radar[i * 18 + f] = f < 3 || (f >= 5 && f < 10) ? (float) (r.nextGaussian() * 20) : r.nextInt(8);
        RadarPointCloud.write(d.resolve("radar.pcd"), Tensor.ofFloats(radar, 6, 18));
        add("nuScenes radar .pcd", d, List.of("radar.pcd"), s -> RadarPointCloud.read(s.resolve("radar.pcd"), RadarPointCloud.Filter.defaults()), nfe);

        d = dir("nuscenes-jpeg");
        BufferedImage img = new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 32; x++) img.setRGB(x, y, r.nextInt(1 << 24));
        CameraImages.write(d.resolve("cam.jpg"), img);
        add("nuScenes camera JPEG", d, List.of("cam.jpg"), s -> CameraImages.readTensor(s.resolve("cam.jpg")), nfe);

        d = dir("nuscenes-results");
        Map<String, List<DetectionBox>> res = new LinkedHashMap<>();
        res.put("sample0", List.of(
                DetectionBox.prediction("sample0", new double[] {400, 1100, 1}, new double[] {1.9, 4.5, 1.6}, new double[] {1, 0, 0, 0},
                        new double[] {1.5, 0}, "car", 0.9, "vehicle.moving"),
                DetectionBox.prediction("sample0", new double[] {410, 1105, 0.9}, new double[] {0.7, 0.7, 1.8}, new double[] {0.7071, 0, 0, 0.7071},
                        new double[] {0, 0.5}, "pedestrian", 0.4, "pedestrian.moving")));
        res.put("sample1", List.of(DetectionBox.prediction("sample1", new double[] {420, 1090, 1}, new double[] {2.5, 10, 3.5},
                new double[] {1, 0, 0, 0}, new double[] {0, 0}, "truck", 0.7, "vehicle.parked")));
        new DetectionResults(DetectionResults.meta(false, true, false, false, false), res).write(d.resolve("results.json"));
        add("nuScenes results JSON", d, List.of("results.json"), s -> DetectionResults.read(s.resolve("results.json"), 500), nfe);
    }

    static void occ3dSpecimens() throws IOException {
        Random r = new Random(7);
        int nx = 4, ny = 3, nz = 2, n = nx * ny * nz;
        byte[] sem = new byte[n];
        boolean[] lidar = new boolean[n], camera = new boolean[n];
        for (int i = 0; i < n; i++) {
            sem[i] = (byte) r.nextInt(18);
            lidar[i] = r.nextBoolean();
            camera[i] = r.nextBoolean();
        }
        Path d = dir("occ3d-gt");
        new Occ3dLabels(nx, ny, nz, sem, lidar, camera).write(d.resolve("labels.npz"));
        FORMATS.add(new Format("Occ3D labels.npz", d, List.of("labels.npz"), s -> Occ3dLabels.read(s.resolve("labels.npz")), ArrayFileException.class, true));

        d = dir("occ3d-pred");
        Occ3dLabels.ofSemantics(new int[] {nx, ny, nz}, sem).writeGdfusionPrediction(d.resolve("pred.npz"));
        FORMATS.add(new Format("Occ3D prediction .npz", d, List.of("pred.npz"), s -> Occ3dLabels.readPrediction(s.resolve("pred.npz")),
                ArrayFileException.class, true));
    }

    // ------------------------------------------------------------------------------------------------------
    // Corruptions.

    static final String[] GARBAGE = {"x", "NaN", "nan", "inf", "-inf", "1e999", "-1", "99999999999999999999", "", "0x1F", "1..2", "\u00e9"};
    static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

    /** Damages {@code file} in place; returns a description for the failure message. */
    static String corrupt(Format f, Path dir, Path file, Corruption c, Random r) throws IOException {
        byte[] b = Files.readAllBytes(file);
        switch (c) {
            case TRUNCATE -> {
                int at = r.nextInt(b.length + 1);
                Files.write(file, java.util.Arrays.copyOf(b, at));
                return "truncated to " + at + " of " + b.length + " bytes";
            }
            case FLIP_BYTE -> {
                if (b.length == 0) return "nothing to flip";
                int at = r.nextInt(b.length), mask = 1 + r.nextInt(255);
                b[at] ^= (byte) mask;
                Files.write(file, b);
                return "byte " + at + " xor " + mask;
            }
            case DELETE_LINE, DUPLICATE_LINE -> {
                List<int[]> lines = lineSpans(b);
                int[] span = lines.get(r.nextInt(lines.size()));
                byte[] line = java.util.Arrays.copyOfRange(b, span[0], span[1]);
                byte[] head = java.util.Arrays.copyOf(b, span[0]), tail = java.util.Arrays.copyOfRange(b, span[1], b.length);
                Files.write(file, c == Corruption.DELETE_LINE ? concat(head, tail) : concat(concat(head, line), concat(line, tail)));
                return (c == Corruption.DELETE_LINE ? "deleted" : "duplicated") + " bytes " + span[0] + ".." + span[1];
            }
            case REPLACE_NUMBER -> {
                // Latin-1 maps every byte to one char, so binary parts survive the round trip unchanged.
                String text = new String(b, StandardCharsets.ISO_8859_1);
                List<int[]> numbers = new ArrayList<>();
                Matcher m = NUMBER.matcher(text);
                while (m.find()) numbers.add(new int[] {m.start(), m.end()});
                if (numbers.isEmpty()) return "no number to replace";
                int[] at = numbers.get(r.nextInt(numbers.size()));
                String old = text.substring(at[0], at[1]), repl;
                if (r.nextInt(4) == 0 && old.matches("-?\\d{1,9}")) repl = String.valueOf(Long.parseLong(old) + (r.nextBoolean() ? 1 : -1)); // a count off by one
                else repl = GARBAGE[r.nextInt(GARBAGE.length)];
                String out = text.substring(0, at[0]) + repl + text.substring(at[1]);
                Files.write(file, repl.equals("\u00e9") ? utf8Splice(b, at, repl) : out.getBytes(StandardCharsets.ISO_8859_1));
                return "number '" + old + "' at byte " + at[0] + " -> '" + repl + "'";
            }
            case MISSING_FILE -> {
                Files.delete(file);
                return "deleted";
            }
            default -> {
                return corruptNpz(file, c, r);
            }
        }
    }

    private static byte[] utf8Splice(byte[] b, int[] at, String repl) {
        return concat(concat(java.util.Arrays.copyOf(b, at[0]), repl.getBytes(StandardCharsets.UTF_8)), java.util.Arrays.copyOfRange(b, at[1], b.length));
    }

    /** Spans [start, end) of the '\n'-terminated lines (the last may lack its newline). */
    static List<int[]> lineSpans(byte[] b) {
        List<int[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < b.length; i++)
            if (b[i] == '\n') {
                out.add(new int[] {start, i + 1});
                start = i + 1;
            }
        if (start < b.length || out.isEmpty()) out.add(new int[] {start, b.length});
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Rewrites a valid npz with one array renamed, of another dtype, or of another shape. */
    static String corruptNpz(Path file, Corruption c, Random r) throws IOException {
        Map<String, RawArray> arrays = new LinkedHashMap<>(Npy.readNpz(file));
        List<String> names = new ArrayList<>(arrays.keySet());
        String key = names.get(r.nextInt(names.size()));
        RawArray a = arrays.get(key);
        long[] v = a.toLongArray();
        int[] shape = a.shape();
        Map<String, RawArray> out = new LinkedHashMap<>();
        String what;
        switch (c) {
            case NPZ_RENAME_ARRAY -> {
                String to = List.of("semantic", "labels", "arr_0", "arr_1", "mask").get(r.nextInt(5));
                for (var e : arrays.entrySet()) out.put(e.getKey().equals(key) ? to : e.getKey(), e.getValue());
                what = "array '" + key + "' renamed '" + to + "'";
            }
            case NPZ_WRONG_DTYPE -> {
                RawArray w;
                switch (r.nextInt(3)) {
                    case 0 -> {
                        float[] f = new float[v.length];
                        for (int i = 0; i < f.length; i++) f[i] = v[i] + 0.25f;
                        w = RawArray.of(f, shape);
                        what = "float32";
                    }
                    case 1 -> {
                        w = RawArray.of(v.clone(), shape);
                        what = "int64";
                    }
                    default -> {
                        int[] iv = new int[v.length];
                        for (int i = 0; i < iv.length; i++) iv[i] = (int) v[i];
                        iv[r.nextInt(iv.length)] = r.nextBoolean() ? -3 : 300;
                        w = RawArray.of(iv, shape);
                        what = "int32 with one value out of range";
                    }
                }
                arrays.forEach((k, x) -> out.put(k, k.equals(key) ? w : x));
                what = "array '" + key + "' stored as " + what;
            }
            default -> {
                int[] s2 = r.nextBoolean() ? new int[] {shape[0] * shape[1], shape[2]} : new int[] {shape[0], shape[2], shape[1]};
                int[] iv = new int[v.length];
                for (int i = 0; i < iv.length; i++) iv[i] = (int) v[i];
                RawArray w = RawArray.of(iv, s2);
                arrays.forEach((k, x) -> out.put(k, k.equals(key) ? w : x));
                what = "array '" + key + "' reshaped to " + java.util.Arrays.toString(s2);
            }
        }
        Npy.writeNpz(file, out, r.nextBoolean());
        return what;
    }

    // ------------------------------------------------------------------------------------------------------
    // The property.

    @Provide
    Arbitrary<Format> formats() { return Arbitraries.of(FORMATS); }

    @Provide
    Arbitrary<Corruption> corruptions() { return Arbitraries.of(Corruption.class); }

    /** Where a message can say "where": a line, a byte, a column, a JSON path, an array or zip entry, a header. */
    static final Pattern PLACE = Pattern.compile("line \\d+|byte \\d+|column \\d+|\\$|array '|entry '|tensor '|header|element \\d+|has no '[^']+' array|has no prediction array");

    @Property(tries = 400, seed = "20250905")
    void aCorruptFileReadsOrFailsWithTheDocumentedException(@ForAll("formats") Format f, @ForAll("corruptions") Corruption c,
                                                           @ForAll long seed) throws IOException {
        if (!f.npz() && c.name().startsWith("NPZ_")) c = Corruption.values()[(int) Math.floorMod(seed, 6)];
        Random r = new Random(seed);
        Path dir = Files.createTempDirectory(root, "try");
        copyTree(f.specimen(), dir);
        String rel = f.files().get(r.nextInt(f.files().size()));
        Path file = dir.resolve(rel);
        String how = corrupt(f, dir, file, c, r);
        String context = f.name() + ", " + rel + ", " + c + ": " + how;
        try {
            assertNotNull(f.reader().read(dir), context + ": the reader returned null");
        } catch (IOException e) {
            if (!f.documented().isInstance(e))
                fail(context + ": threw " + e.getClass().getName() + " instead of " + f.documented().getSimpleName() + ": " + e.getMessage(), e);
            String msg = String.valueOf(e.getMessage());
            // In a multi-file format (tables, infos + points) a damaged file may surface in another that refers to it,
            // e.g. a changed token in attribute.json is a dangling reference in sample_annotation.json.
            assertTrue(msg.contains(dir.toString()) && (msg.contains(file.getFileName().toString()) || f.files().size() > 1),
                    context + ": the message does not name the file: " + msg);
            if (c != Corruption.MISSING_FILE)
                assertTrue(PLACE.matcher(msg).find() || wholeFile(msg), context + ": the message says no line, byte or entry: " + msg);
        } catch (RuntimeException e) {
            fail(context + ": " + e.getClass().getName() + " escaped the reader: " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    /** Regression: bad UTF-8 in a KITTI text file used to say only "not UTF-8 text", with no place. */
    @Example
    void badUtf8InAKittiTextFileNamesTheLineAndByte() throws IOException {
        Path file = Files.createTempDirectory(root, "utf8").resolve("train.txt");
        Files.write(file, new byte[] {'0', '0', '\n', '0', (byte) 0xC3, '1', '\n'});
        KittiFormatException e = assertThrows(KittiFormatException.class, () -> KittiSplits.read(file));
        assertTrue(e.getMessage().contains("line 2, byte 4"), e.getMessage());
    }

    /**
     * Regression: a calibrated_sensor whose sensor_token matched no sensor escaped NuScenesTables.load as an
     * IllegalArgumentException from the constructor, before the reference check could name file and line.
     */
    @Example
    void aDanglingSensorReferenceNamesCalibratedSensorJson() throws IOException {
        Format tables = FORMATS.stream().filter(f -> f.name().startsWith("nuScenes tables")).findFirst().orElseThrow();
        Path dir = Files.createTempDirectory(root, "tables");
        copyTree(tables.specimen(), dir);
        Path sensor = dir.resolve("sensor.json");
        Matcher m = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"").matcher(Files.readString(sensor));
        assertTrue(m.find());
        Files.writeString(sensor, Files.readString(sensor).replace(m.group(1), "no-such-sensor"));
        NuScenesFormatException e = assertThrows(NuScenesFormatException.class, () -> NuScenesTables.load(dir));
        assertTrue(e.getMessage().contains("calibrated_sensor.json") && e.getMessage().contains("line "), e.getMessage());
    }

    /** Problems that concern the whole file, where no line or byte is meaningful. */
    static boolean wholeFile(String msg) {
        // javax.imageio's PNG and JPEG decoders report no offset; the readers name the file and the decoder's reason.
        // Something absent (a calib key, a JSON field, a referenced file) has no line to point at; the message names it.
        return WHOLE_FILE.matcher(msg).find();
    }

    static final Pattern WHOLE_FILE = Pattern.compile("corrupt PNG|corrupt image|not an image|missing |has no |no field|not found|no such file");

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    static void deleteTree(Path dir) {
        try {
            ScratchDir.deleteTree(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
