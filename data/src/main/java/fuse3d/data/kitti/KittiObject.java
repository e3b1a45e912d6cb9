package fuse3d.data.kitti;

/**
 * One line of a KITTI label_2 file: an annotated object, or a detection when it carries the 16th field (score).
 *
 * <p>Fields in file order: type, truncated (0..1, -1 for DontCare), occluded (0 visible, 1 partly, 2 largely,
 * 3 unknown, -1 DontCare), alpha (observation angle, -10 when unknown), the 2D box (x1, y1, x2, y2) in pixels of
 * the left colour image, the 3D size (height, width, length, metres), the location (x, y, z) of the bottom-face
 * centre in the rectified camera frame, rotation_y (yaw about the camera y axis) and, for detections, the score.
 * {@code score} is NaN when the line has 15 fields.
 */
public record KittiObject(String type, double truncated, int occluded, double alpha,
                          double x1, double y1, double x2, double y2,
                          double height, double width, double length,
                          double x, double y, double z, double rotationY, double score) {

    /** The label type of the regions annotators skipped: detections there are neither true nor false (2D only). */
    public static final String DONT_CARE = "DontCare";
    /** The alpha that marks "no observation angle" (KITTI and OpenPCDet: AOS is then not computed). */
    public static final double NO_ALPHA = -10;

    public KittiObject {
        if (type == null || type.isEmpty() || type.chars().anyMatch(Character::isWhitespace))
            throw new IllegalArgumentException("KittiObject: type must be one word, got '" + type + "'");
    }

    /** A ground-truth object (no score). */
    public static KittiObject label(String type, double truncated, int occluded, double alpha, double[] bbox, double[] hwl,
                                    double[] location, double rotationY) {
        return new KittiObject(type, truncated, occluded, alpha, bbox[0], bbox[1], bbox[2], bbox[3], hwl[0], hwl[1], hwl[2],
                location[0], location[1], location[2], rotationY, Double.NaN);
    }

    /** This object with a score (a detection). */
    public KittiObject withScore(double s) {
        return new KittiObject(type, truncated, occluded, alpha, x1, y1, x2, y2, height, width, length, x, y, z, rotationY, s);
    }

    public boolean hasScore() { return !Double.isNaN(score); }

    public boolean isDontCare() { return DONT_CARE.equals(type); }

    /** The 2D box (x1, y1, x2, y2). */
    public double[] bbox() { return new double[] {x1, y1, x2, y2}; }

    /** OpenPCDet's "dimensions" order: (l, h, w). */
    public double[] dimensionsLhw() { return new double[] {length, height, width}; }

    /** The camera box (x, y, z, l, h, w, ry) that KittiCalibration's box conversions take. */
    public double[] cameraBox() { return new double[] {x, y, z, length, height, width, rotationY}; }

    /**
     * OpenPCDet's difficulty level (object3d_kitti get_kitti_obj_level): 0 easy, 1 moderate, 2 hard, -1 unknown,
     * with the 2D height counted inclusively ({@code y2 - y1 + 1}); the evaluator uses its own filter instead.
     */
    public int level() {
        double h = y2 - y1 + 1;
        if (h >= 40 && truncated <= 0.15 && occluded <= 0) return 0;
        if (h >= 25 && truncated <= 0.3 && occluded <= 1) return 1;
        if (h >= 25 && truncated <= 0.5 && occluded <= 2) return 2;
        return -1;
    }

    /** The label line (no newline): 15 fields, or 16 with the score. */
    public String toLine() {
        StringBuilder sb = new StringBuilder(type);
        sb.append(' ').append(KittiFiles.format(truncated)).append(' ').append(occluded);
        for (double v : new double[] {alpha, x1, y1, x2, y2, height, width, length, x, y, z, rotationY})
            sb.append(' ').append(KittiFiles.format(v));
        if (hasScore()) sb.append(' ').append(KittiFiles.format(score));
        return sb.toString();
    }
}
