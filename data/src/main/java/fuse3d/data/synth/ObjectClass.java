package fuse3d.data.synth;

/**
 * The object classes of the synthetic world with their KITTI label type (null: scene clutter KITTI does not
 * annotate as its own class, written as Misc) and nuScenes category, so one scene serves both datasets.
 */
public enum ObjectClass {
    CAR("Car", "vehicle.car"),
    VAN("Van", "vehicle.car"),
    TRUCK("Truck", "vehicle.truck"),
    PEDESTRIAN("Pedestrian", "human.pedestrian.adult"),
    CYCLIST("Cyclist", "vehicle.bicycle"),
    BARRIER("Misc", "movable_object.barrier"),
    TRAFFIC_CONE("Misc", "movable_object.trafficcone");

    /** The KITTI label_2 type. */
    public final String kittiType;
    /** The nuScenes category name. */
    public final String nuScenesCategory;

    ObjectClass(String kittiType, String nuScenesCategory) {
        this.kittiType = kittiType;
        this.nuScenesCategory = nuScenesCategory;
    }
}
