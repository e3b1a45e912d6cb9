package fuse3d.data.nuscenes;

import java.util.List;
import java.util.Map;

/**
 * The nuScenes detection challenge's 10 classes, its 8 box attributes, and the mapping from the dataset's 23
 * categories to detection names (nuscenes-devkit {@code eval/detection/constants.py} and
 * {@code category_to_detection_name}).
 *
 * <p>Categories that map to nothing (animals, personal mobility, strollers, wheelchairs, debris, bicycle racks,
 * emergency and police vehicles ...) are not evaluated. Pedestrian covers adult, child, construction worker and
 * police officer only.
 */
public final class DetectionClasses {
    private DetectionClasses() {}

    /** The 10 detection names in the devkit's order (the order of every per-class table it prints). */
    public static final List<String> NAMES = List.of("car", "truck", "bus", "trailer", "construction_vehicle", "pedestrian",
            "motorcycle", "bicycle", "traffic_cone", "barrier");

    /** The 8 attribute names a detection may carry ({@code ""} means none). */
    public static final List<String> ATTRIBUTES = List.of("pedestrian.moving", "pedestrian.sitting_lying_down", "pedestrian.standing",
            "cycle.with_rider", "cycle.without_rider", "vehicle.moving", "vehicle.parked", "vehicle.stopped");

    /** The category of bicycle racks, inside which bicycle and motorcycle GT is not evaluated. */
    public static final String BICYCLE_RACK = "static_object.bicycle_rack";

    private static final Map<String, String> CATEGORY_TO_NAME = Map.ofEntries(
            Map.entry("movable_object.barrier", "barrier"),
            Map.entry("vehicle.bicycle", "bicycle"),
            Map.entry("vehicle.bus.bendy", "bus"),
            Map.entry("vehicle.bus.rigid", "bus"),
            Map.entry("vehicle.car", "car"),
            Map.entry("vehicle.construction", "construction_vehicle"),
            Map.entry("vehicle.motorcycle", "motorcycle"),
            Map.entry("human.pedestrian.adult", "pedestrian"),
            Map.entry("human.pedestrian.child", "pedestrian"),
            Map.entry("human.pedestrian.construction_worker", "pedestrian"),
            Map.entry("human.pedestrian.police_officer", "pedestrian"),
            Map.entry("movable_object.trafficcone", "traffic_cone"),
            Map.entry("vehicle.trailer", "trailer"),
            Map.entry("vehicle.truck", "truck"));

    /** The detection name of a nuScenes category, or null when the category is not part of the detection task. */
    public static String detectionName(String category) { return CATEGORY_TO_NAME.get(category); }

    /** Whether {@code name} is one of the 10 detection names. */
    public static boolean isDetectionName(String name) { return NAMES.contains(name); }

    /** Whether {@code name} is an attribute name or {@code ""}. */
    public static boolean isAttributeName(String name) { return name.isEmpty() || ATTRIBUTES.contains(name); }

    /** The attributes that make sense for a class (none for barrier and traffic cone). */
    public static List<String> relevantAttributes(String detectionName) {
        return switch (detectionName) {
            case "pedestrian" -> List.of("pedestrian.moving", "pedestrian.sitting_lying_down", "pedestrian.standing");
            case "bicycle", "motorcycle" -> List.of("cycle.with_rider", "cycle.without_rider");
            case "car", "bus", "construction_vehicle", "trailer", "truck" -> List.of("vehicle.moving", "vehicle.parked", "vehicle.stopped");
            case "barrier", "traffic_cone" -> List.of();
            default -> throw new IllegalArgumentException("relevantAttributes: '" + detectionName + "' is not a detection class, expected one of " + NAMES);
        };
    }

    /**
     * The class order of mmdetection3d's and OpenPCDet's nuScenes configs and info files ({@code bbox_label_3d}
     * indexes this list), which differs from the devkit's {@link #NAMES}.
     */
    public static final List<String> MMDET3D_ORDER = List.of("car", "truck", "trailer", "bus", "construction_vehicle", "bicycle",
            "motorcycle", "pedestrian", "traffic_cone", "barrier");
}
