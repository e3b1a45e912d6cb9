package fuse3d.data.synth;

import fuse3d.data.kitti.KittiObject;
import fuse3d.sparse.bev.KittiCalibration;
import fuse3d.sparse.bev.Pose;
import fuse3d.tensor.Tensor;
import java.util.List;

/**
 * KITTI label_2 lines for the annotated objects of a scene seen by the KITTI rig: the 3D box in the rectified
 * camera frame (values rounded to KITTI's two decimals), alpha, the 2D box as KITTI's (the projected 3D box clipped
 * to the image; DontCare regions take the extent of the visible pixels in the render), truncation (the fraction of
 * the projected 3D box's 2D extent outside the image), occlusion (0 when at least 80 % of the pixels the object would cover alone are visible, 1 from 30 %, else 2), and DontCare for
 * objects too far or too small, as KITTI's annotators did. Objects outside the image or hidden completely get no
 * line.
 */
final class KittiLabeller {
    private KittiLabeller() {}

    static void label(Scene scene, KittiCalibration calib, Pose lidarToScene, Camera camera, Pose cameraToScene, Camera.Image image,
                      List<KittiObject> out, List<Integer> objectIds) {
        Pose sceneToLidar = lidarToScene.inverse();
        double[] rot = lidarToScene.rotation();
        double lidarYaw = StrictMath.atan2(rot[3], rot[0]);
        double[] p2 = calib.projection(2);
        int w = image.width(), h = image.height();
        for (SceneObject o : scene.annotated()) {
            double[] b = o.box();
            double[] c = sceneToLidar.apply(b[0], b[1], b[2]);
            double[] lidarBox = {c[0], c[1], c[2], b[3], b[4], b[5], b[6] - lidarYaw};
            double[] cam = calib.boxesLidarToCamera(Tensor.of(lidarBox, 1, 7)).toDoubleArray(); // x y z l h w ry
            double l = round2(cam[3]), hh = round2(cam[4]), ww = round2(cam[5]);
            double x = round2(cam[0]), y = round2(cam[1]), z = round2(cam[2]), ry = round2(wrap(cam[6]));
            if (z < 1.0) continue; // beside or behind the camera
            // the 2D extent of the projected 3D box
            double[] corners = KittiCalibration.cameraBoxCorners(Tensor.of(new double[] {x, y, z, l, hh, ww, ry}, 1, 7)).toDoubleArray();
            double u0 = Double.MAX_VALUE, v0 = Double.MAX_VALUE, u1 = -Double.MAX_VALUE, v1 = -Double.MAX_VALUE;
            for (int k = 0; k < 8; k++) {
                double px = corners[k * 3], py = corners[k * 3 + 1], pz = Math.max(corners[k * 3 + 2], 0.1);
                double den = p2[8] * px + p2[9] * py + p2[10] * pz + p2[11];
                double u = (p2[0] * px + p2[1] * py + p2[2] * pz + p2[3]) / den;
                double v = (p2[4] * px + p2[5] * py + p2[6] * pz + p2[7]) / den;
                u0 = Math.min(u0, u);
                v0 = Math.min(v0, v);
                u1 = Math.max(u1, u);
                v1 = Math.max(v1, v);
            }
            double fullArea = (u1 - u0) * (v1 - v0);
            double inArea = Math.max(0, Math.min(u1, w - 1) - Math.max(u0, 0)) * Math.max(0, Math.min(v1, h - 1) - Math.max(v0, 0));
            if (inArea <= 0) continue;
            double truncated = round2(Math.max(0, Math.min(1, 1 - inArea / fullArea)));
            // the visible pixels of this object in the render
            int c0 = (int) Math.max(0, Math.floor(u0)), r0 = (int) Math.max(0, Math.floor(v0));
            int c1 = (int) Math.min(w - 1, Math.ceil(u1)), r1 = (int) Math.min(h - 1, Math.ceil(v1));
            int visible = 0, bx0 = Integer.MAX_VALUE, by0 = Integer.MAX_VALUE, bx1 = -1, by1 = -1;
            for (int row = r0; row <= r1; row++) {
                for (int col = c0; col <= c1; col++) {
                    if (image.objectId(col, row) != o.id()) continue;
                    visible++;
                    bx0 = Math.min(bx0, col);
                    by0 = Math.min(by0, row);
                    bx1 = Math.max(bx1, col);
                    by1 = Math.max(by1, row);
                }
            }
            if (visible == 0) continue;
            double[] bbox = {bx0, by0, bx1, by1};
            if (z > SyntheticKitti.MAX_LABEL_DEPTH || by1 - by0 + 1 < SyntheticKitti.MIN_LABEL_HEIGHT || visible < 40) {
                out.add(KittiObject.label(KittiObject.DONT_CARE, -1, -1, KittiObject.NO_ALPHA, bbox, new double[] {-1, -1, -1},
                        new double[] {-1000, -1000, -1000}, -10));
                objectIds.add(o.id());
                continue;
            }
            int alone = camera.coverage(o, cameraToScene, c0, r0, c1, r1);
            double fraction = visible / (double) Math.max(alone, visible);
            int occluded = fraction >= 0.8 ? 0 : fraction >= 0.3 ? 1 : 2;
            double alpha = round2(wrap(ry - StrictMath.atan2(x, z)));
            // KITTI's 2D box of a labelled object is its projected 3D box clipped to the image (the real labels match it
            // within a few pixels, occluded objects included), not the extent of its visible pixels
            double[] amodal = {round2(Math.max(0, u0)), round2(Math.max(0, v0)), round2(Math.min(w - 1, u1)), round2(Math.min(h - 1, v1))};
            out.add(KittiObject.label(o.cls().kittiType, truncated, occluded, alpha, amodal, new double[] {hh, ww, l}, new double[] {x, y, z}, ry));
            objectIds.add(o.id());
        }
    }

    static double round2(double v) {
        double r = Math.round(v * 100) / 100.0;
        return r == 0 ? 0.0 : r; // no -0.00 in label files
    }

    static double wrap(double a) {
        while (a > Math.PI) a -= 2 * Math.PI;
        while (a <= -Math.PI) a += 2 * Math.PI;
        return a;
    }
}
