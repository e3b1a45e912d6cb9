package fuse3d.data.occ3d;

import java.util.List;

/**
 * The fixed vocabulary of Occ3D-nuScenes: its 18 classes (0..16 semantic, 17 = free), the dynamic classes
 * behind mIoU_D, and the grid the labels live on.
 *
 * <p>Class ids follow nuScenes-lidarseg's 16 merged classes plus {@code others} and {@code free}, in the order
 * of GDFusion's and the Occ3D devkit's {@code occ_metrics.py}. (An older copy of that file in the CVPR 2023
 * challenge repository lists the same names in a different order; the ids, not the names, are what the data
 * stores, and this order is the one that matches them.)
 */
public final class Occ3d {
    private Occ3d() {}

    /** Class names by id; {@code CLASS_NAMES.get(FREE)} is {@code "free"}. */
    public static final List<String> CLASS_NAMES = List.of(
            "others", "barrier", "bicycle", "bus", "car", "construction_vehicle",
            "motorcycle", "pedestrian", "traffic_cone", "trailer", "truck",
            "driveable_surface", "other_flat", "sidewalk", "terrain", "manmade",
            "vegetation", "free");

    /** Number of label values including free (the confusion matrix is this square). */
    public static final int NUM_CLASSES = 18;

    /** The free (empty) class id; mIoU averages over the ids below it. */
    public static final int FREE = 17;

    /**
     * The dynamic (movable object) classes that mIoU_D averages over, as GDFusion/ALOcc report it: bicycle,
     * bus, car, construction_vehicle, motorcycle, pedestrian, trailer, truck.
     */
    public static final List<Integer> DYNAMIC_CLASSES = List.of(2, 3, 4, 5, 6, 7, 9, 10);

    /** Occ3D-nuScenes' grid: [-40, -40, -1] to [40, 40, 5.4] m in 0.4 m voxels, 200 x 200 x 16. */
    public static final Occ3dGrid GRID = Occ3dGrid.NUSCENES;
}
