package fuse3d.data.nuscenes;

import java.util.Arrays;
import java.util.Objects;

/**
 * One box of the nuScenes detection task, GT or prediction, in the global frame (the devkit's {@code DetectionBox}):
 * centre {@code translation}, {@code size} as (width, length, height), {@code rotation} as a {@code [w, x, y, z]}
 * quaternion, {@code velocity} (vx, vy) in m/s (NaN allowed: GT whose velocity cannot be estimated),
 * {@code egoTranslation} the centre relative to the ego vehicle at the key frame, {@code numPts} the LiDAR plus radar
 * points inside (GT only; -1 for predictions), {@code detectionScore} (-1 for GT) and {@code attributeName}
 * ({@code ""} for none).
 */
public record DetectionBox(String sampleToken, double[] translation, double[] size, double[] rotation, double[] velocity,
                           double[] egoTranslation, int numPts, String detectionName, double detectionScore, String attributeName) {

    public DetectionBox {
        Objects.requireNonNull(sampleToken, "DetectionBox: sampleToken");
        check("translation", translation, 3, false);
        check("size", size, 3, false);
        check("rotation", rotation, 4, false);
        check("velocity", velocity, 2, true);
        check("egoTranslation", egoTranslation, 3, false);
        if (!DetectionClasses.isDetectionName(detectionName))
            throw new IllegalArgumentException("DetectionBox: unknown detection_name '" + detectionName + "', expected one of " + DetectionClasses.NAMES);
        if (Double.isNaN(detectionScore)) throw new IllegalArgumentException("DetectionBox: detection_score may not be NaN");
        Objects.requireNonNull(attributeName, "DetectionBox: attributeName");
        if (!DetectionClasses.isAttributeName(attributeName))
            throw new IllegalArgumentException("DetectionBox: unknown attribute_name '" + attributeName + "', expected \"\" or one of "
                    + DetectionClasses.ATTRIBUTES);
    }

    private static void check(String name, double[] v, int n, boolean nanAllowed) {
        if (v == null || v.length != n)
            throw new IllegalArgumentException("DetectionBox: " + name + " must have " + n + " elements, got " + (v == null ? "null" : v.length));
        if (!nanAllowed) for (double x : v) if (Double.isNaN(x)) throw new IllegalArgumentException("DetectionBox: " + name + " may not be NaN: " + Arrays.toString(v));
    }

    /** A prediction (no ego translation or point count yet). */
    public static DetectionBox prediction(String sampleToken, double[] translation, double[] size, double[] rotation, double[] velocity,
                                          String detectionName, double score, String attributeName) {
        return new DetectionBox(sampleToken, translation, size, rotation, velocity, new double[3], -1, detectionName, score, attributeName);
    }

    /** The 2D (xy) distance of the centre from the ego vehicle, as the devkit's {@code ego_dist}. */
    public double egoDist() {
        return Math.sqrt(egoTranslation[0] * egoTranslation[0] + egoTranslation[1] * egoTranslation[1]);
    }

    /** The same box with another ego translation. */
    public DetectionBox withEgoTranslation(double[] ego) {
        return new DetectionBox(sampleToken, translation, size, rotation, velocity, ego, numPts, detectionName, detectionScore, attributeName);
    }

    /** The yaw about +z of {@link #rotation()} (the direction of the box's x axis), as the devkit's {@code quaternion_yaw}. */
    public double yaw() {
        double n = Math.sqrt(rotation[0] * rotation[0] + rotation[1] * rotation[1] + rotation[2] * rotation[2] + rotation[3] * rotation[3]);
        double w = rotation[0] / n, x = rotation[1] / n, y = rotation[2] / n, z = rotation[3] / n;
        return Math.atan2(2 * (x * y + w * z), 1 - 2 * (y * y + z * z));
    }

    /** The yaw-only quaternion {@code [w, x, y, z]} of a heading about +z. */
    public static double[] yawQuaternion(double yaw) {
        return new double[] {Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2)};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DetectionBox b && sampleToken.equals(b.sampleToken) && Arrays.equals(translation, b.translation)
                && Arrays.equals(size, b.size) && Arrays.equals(rotation, b.rotation) && Arrays.equals(velocity, b.velocity)
                && Arrays.equals(egoTranslation, b.egoTranslation) && numPts == b.numPts && detectionName.equals(b.detectionName)
                && Double.compare(detectionScore, b.detectionScore) == 0 && attributeName.equals(b.attributeName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sampleToken, Arrays.hashCode(translation), Arrays.hashCode(size), Arrays.hashCode(rotation), detectionName, detectionScore);
    }

    @Override
    public String toString() {
        return "DetectionBox[" + sampleToken + " " + detectionName + " score " + detectionScore + " t " + Arrays.toString(translation) + " wlh "
                + Arrays.toString(size) + " q " + Arrays.toString(rotation) + " v " + Arrays.toString(velocity) + " attr '" + attributeName + "']";
    }
}
