package fuse3d.data.nuscenes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of the nuScenes detection evaluation (the devkit's {@code DetectionConfig}); {@link #cvpr2019()} is the
 * official {@code detection_cvpr_2019} configuration used for every leaderboard number.
 *
 * @param classRange per-class maximum xy distance (m) of a box from the ego vehicle; farther boxes are not evaluated
 * @param distThs centre-distance thresholds (m) at which AP is computed
 * @param distThTp the threshold whose matches give the TP errors
 * @param minRecall recall below which precision and TP errors are ignored
 * @param minPrecision precision below which a recall bin contributes nothing
 * @param maxBoxesPerSample the most boxes a submission may give for one sample
 * @param meanApWeight the weight of mAP in NDS
 */
public record DetectionConfig(Map<String, Double> classRange, List<Double> distThs, double distThTp, double minRecall, double minPrecision,
                              int maxBoxesPerSample, int meanApWeight) {

    public DetectionConfig {
        if (!classRange.keySet().equals(new java.util.HashSet<>(DetectionClasses.NAMES)))
            throw new IllegalArgumentException("DetectionConfig: class_range must name exactly the 10 detection classes, got " + classRange.keySet());
        if (!distThs.contains(distThTp)) throw new IllegalArgumentException("DetectionConfig: dist_th_tp " + distThTp + " must be one of dist_ths " + distThs);
        if (!(minPrecision >= 0 && minPrecision < 1) || !(minRecall >= 0 && minRecall <= 1))
            throw new IllegalArgumentException("DetectionConfig: need 0 <= min_precision < 1 and 0 <= min_recall <= 1, got " + minPrecision + ", " + minRecall);
        Map<String, Double> ordered = new LinkedHashMap<>();
        for (String c : DetectionClasses.NAMES) ordered.put(c, classRange.get(c));
        classRange = Collections.unmodifiableMap(ordered);
        distThs = List.copyOf(distThs);
    }

    /** The official {@code detection_cvpr_2019} configuration. */
    public static DetectionConfig cvpr2019() {
        Map<String, Double> r = new LinkedHashMap<>();
        for (String c : List.of("car", "truck", "bus", "trailer", "construction_vehicle")) r.put(c, 50.0);
        for (String c : List.of("pedestrian", "motorcycle", "bicycle")) r.put(c, 40.0);
        for (String c : List.of("traffic_cone", "barrier")) r.put(c, 30.0);
        return new DetectionConfig(r, List.of(0.5, 1.0, 2.0, 4.0), 2.0, 0.1, 0.1, 500, 5);
    }
}
