package fuse3d.sparse.bev;

import java.util.Objects;

/**
 * Where a sensor sat when it captured a sample, as nuScenes records it: the sensor's calibrated pose in the ego
 * (vehicle) frame and the ego pose in the global frame at the sensor's own timestamp.
 *
 * <p>Transforms between two sensors go through the global frame, so a camera and the LiDAR captured a few
 * milliseconds apart are related exactly even while the vehicle moves (mmdetection3d's lidar2cam does the same).
 */
public record SensorPose(Pose sensorToEgo, Pose egoToGlobal) {
    public SensorPose {
        Objects.requireNonNull(sensorToEgo, "SensorPose: sensorToEgo");
        Objects.requireNonNull(egoToGlobal, "SensorPose: egoToGlobal");
    }

    /**
     * From nuScenes' calibrated_sensor and ego_pose records: rotations as {@code [w, x, y, z]} quaternions,
     * translations in metres.
     */
    public static SensorPose fromNuScenes(double[] sensorRotation, double[] sensorTranslation, double[] egoRotation, double[] egoTranslation) {
        return new SensorPose(Pose.fromQuaternion(sensorRotation, sensorTranslation), Pose.fromQuaternion(egoRotation, egoTranslation));
    }

    /** Sensor frame to global frame. */
    public Pose sensorToGlobal() { return sensorToEgo.then(egoToGlobal); }

    /** Maps points of this sensor's frame into {@code target}'s frame (through the global frame). */
    public Pose to(SensorPose target) {
        return sensorToGlobal().then(target.sensorToGlobal().inverse());
    }

    /**
     * Maps points of this sensor's frame into {@code target}'s ego frame at {@code target}'s timestamp (BEVDet's
     * sensor2keyego for a camera against the key LiDAR's ego pose).
     */
    public Pose toEgoOf(SensorPose target) {
        return sensorToGlobal().then(target.egoToGlobal().inverse());
    }
}
