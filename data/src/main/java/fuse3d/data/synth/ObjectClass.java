package fuse3d.data.synth;

/**
 * The object classes of the synthetic world with their KITTI label type (Misc: what KITTI does not annotate as a
 * class of its own) and nuScenes category, so one scene serves both datasets. The last four (bus, trailer,
 * construction vehicle, motorcycle) complete nuScenes' ten detection classes; only nuScenes and Occ3D scenes hold
 * them ({@link SceneGenerator#generate(long, boolean)}), so KITTI frames never meet them.
 */
public enum ObjectClass {
    CAR("Car", "vehicle.car"),
    VAN("Van", "vehicle.car"),
    TRUCK("Truck", "vehicle.truck"),
    PEDESTRIAN("Pedestrian", "human.pedestrian.adult"),
    CYCLIST("Cyclist", "vehicle.bicycle"),
    BARRIER("Misc", "movable_object.barrier"),
    TRAFFIC_CONE("Misc", "movable_object.trafficcone"),
    BUS("Misc", "vehicle.bus.rigid"),
    TRAILER("Misc", "vehicle.trailer"),
    CONSTRUCTION_VEHICLE("Misc", "vehicle.construction"),
    /** A motorcycle with its rider (nuScenes boxes the two together); KITTI's Cyclist is bicycles only. */
    MOTORCYCLE("Misc", "vehicle.motorcycle");

    /** The KITTI label_2 type. */
    public final String kittiType;
    /** The nuScenes category name. */
    public final String nuScenesCategory;

    ObjectClass(String kittiType, String nuScenesCategory) {
        this.kittiType = kittiType;
        this.nuScenesCategory = nuScenesCategory;
    }
}
