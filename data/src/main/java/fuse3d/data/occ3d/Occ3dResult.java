package fuse3d.data.occ3d;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fuse3d.tensor.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@link Occ3dEvaluator} measured: voxel metrics under each mask setting and, when computed, RayIoU.
 * All values are fractions in [0, 1]; NaN means "no such voxel or ray in ground truth or prediction" (JSON
 * null). {@link #printTable} shows percent.
 *
 * @param samples the number of samples evaluated
 * @param rayIou null when RayIoU was not computed
 */
public record Occ3dResult(int samples, MaskMetrics maskCamera, MaskMetrics maskLidar, MaskMetrics noMask, RayIouMetrics rayIou) {

    /**
     * Voxel metrics under one mask setting.
     *
     * @param iou per class 0..16 (free excluded), NaN when absent from both ground truth and prediction
     * @param confusion the summed 18 x 18 matrix, {@code confusion[gt][pred]}
     */
    public record MaskMetrics(double[] iou, double miou, double occupiedIou, double miouD, long[][] confusion) {}

    /**
     * RayIoU as SparseOcc reports it.
     *
     * @param rayIou the mean over classes 0..16 and the three thresholds
     * @param atThreshold RayIoU@1, @2, @4
     * @param perClass {@code [17][3]}: class by threshold, NaN when the class is absent
     * @param gtRays per class 0..17, the rays whose ground-truth hit has that class (free: always 0)
     * @param predRays per class 0..17, the kept rays whose predicted hit has that class
     * @param truePositives {@code [3][18]}: per threshold and class
     */
    public record RayIouMetrics(double rayIou, double[] atThreshold, double[][] perClass, long[] gtRays, long[] predRays,
                                long[][] truePositives) {}

    /** The metrics of one mask setting. */
    public MaskMetrics mask(Occ3dEvaluator.MaskMode mode) {
        return switch (mode) {
            case CAMERA -> maskCamera;
            case LIDAR -> maskLidar;
            case NONE -> noMask;
        };
    }

    // ------------------------------------------------------------------------------------------------------
    // JSON.

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The JSON layout of the evaluate-occ3d command: {@code {"mask_camera"|"mask_lidar"|"no_mask": {"iou":
     * {"<class>": fraction|null}, "miou", "occupied_iou", "miou_d"}, "rayiou": {"RayIoU", "RayIoU@1",
     * "RayIoU@2", "RayIoU@4", "per_class": {"<class>": [at 1, 2, 4 m]}}}}; {@code rayiou} is null when not
     * computed.
     */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        for (Occ3dEvaluator.MaskMode m : Occ3dEvaluator.MaskMode.values()) {
            MaskMetrics mm = mask(m);
            ObjectNode node = root.putObject(m.key);
            ObjectNode iou = node.putObject("iou");
            for (int c = 0; c < Occ3d.FREE; c++) put(iou, Occ3d.CLASS_NAMES.get(c), mm.iou()[c]);
            put(node, "miou", mm.miou());
            put(node, "occupied_iou", mm.occupiedIou());
            put(node, "miou_d", mm.miouD());
        }
        if (rayIou == null) {
            root.putNull("rayiou");
        } else {
            ObjectNode r = root.putObject("rayiou");
            put(r, "RayIoU", rayIou.rayIou());
            for (int j = 0; j < Occ3dEvaluator.RAY_THRESHOLDS.length; j++)
                put(r, "RayIoU@" + (int) Occ3dEvaluator.RAY_THRESHOLDS[j], rayIou.atThreshold()[j]);
            ObjectNode per = r.putObject("per_class");
            for (int c = 0; c < Occ3d.FREE; c++) {
                ArrayNode a = per.putArray(Occ3d.CLASS_NAMES.get(c));
                for (double v : rayIou.perClass()[c]) {
                    if (Double.isNaN(v)) a.addNull();
                    else a.add(v);
                }
            }
        }
        return root;
    }

    private static void put(ObjectNode node, String key, double v) {
        if (Double.isNaN(v)) node.putNull(key);
        else node.put(key, v);
    }

    /** Writes {@link #toJson()} to {@code file}, atomically. */
    public void writeJson(Path file) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(toJson());
        AtomicFiles.write(file, out -> {
            out.write(bytes);
            out.write('\n');
        });
    }

    // ------------------------------------------------------------------------------------------------------
    // Table.

    /** Prints the per-class table and the means, in percent (n/a for an absent class). */
    public void printTable(PrintStream out) {
        out.print(table());
    }

    /** The table {@link #printTable} prints. */
    public String table() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Occ3D occupancy, %d samples (IoU in %%; camera mask = the Occ3D benchmark setting)%n", samples));
        b.append(String.format(Locale.ROOT, "%-22s %9s %9s %9s", "class", "camera", "lidar", "no mask"));
        if (rayIou != null) b.append(String.format(Locale.ROOT, " %9s %9s %9s", "Ray@1m", "Ray@2m", "Ray@4m"));
        b.append(System.lineSeparator());
        for (int c = 0; c < Occ3d.FREE; c++) {
            b.append(String.format(Locale.ROOT, "%-22s %9s %9s %9s", Occ3d.CLASS_NAMES.get(c),
                    pct(maskCamera.iou()[c]), pct(maskLidar.iou()[c]), pct(noMask.iou()[c])));
            if (rayIou != null) {
                double[] r = rayIou.perClass()[c];
                b.append(String.format(Locale.ROOT, " %9s %9s %9s", pct(r[0]), pct(r[1]), pct(r[2])));
            }
            b.append(System.lineSeparator());
        }
        b.append(String.format(Locale.ROOT, "%-22s %9s %9s %9s", "mIoU", pct(maskCamera.miou()), pct(maskLidar.miou()), pct(noMask.miou())));
        if (rayIou != null)
            b.append(String.format(Locale.ROOT, " %9s %9s %9s", pct(rayIou.atThreshold()[0]), pct(rayIou.atThreshold()[1]), pct(rayIou.atThreshold()[2])));
        b.append(System.lineSeparator());
        b.append(String.format(Locale.ROOT, "%-22s %9s %9s %9s%n", "mIoU_D (dynamic)", pct(maskCamera.miouD()), pct(maskLidar.miouD()), pct(noMask.miouD())));
        b.append(String.format(Locale.ROOT, "%-22s %9s %9s %9s%n", "occupied IoU", pct(maskCamera.occupiedIou()), pct(maskLidar.occupiedIou()),
                pct(noMask.occupiedIou())));
        if (rayIou != null) b.append(String.format(Locale.ROOT, "RayIoU (mean of 1, 2, 4 m): %s%n", pct(rayIou.rayIou())));
        return b.toString();
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", 100 * v);
    }
}
