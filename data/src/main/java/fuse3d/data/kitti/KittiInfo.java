package fuse3d.data.kitti;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One frame's entry of an info file, field for field as OpenPCDet's create_kitti_infos makes it (kitti_dataset.py
 * get_infos), so that code written against the pickles maps one to one: point_cloud (num_features, lidar_idx),
 * image (image_idx, image_shape = [H, W]), calib (P2, R0_rect, Tr_velo_to_cam as 4x4 row-major, padded with
 * [0 0 0 1]) and annos, or null for an unlabelled (testing) frame.
 */
public record KittiInfo(String frameId, int numFeatures, int imageHeight, int imageWidth, double[] p2, double[] r0Rect, double[] trVeloToCam,
                        Annotations annos) {

    /**
     * The annotations of a frame: one entry per label line (DontCare included, and, as in OpenPCDet, assumed to come
     * after the objects). {@code dimensions} are (l, h, w); {@code score} is -1 for lines without one;
     * {@code difficulty} is {@link KittiObject#level()}; {@code index} numbers the objects 0.. and gives DontCare -1;
     * {@code gtBoxesLidar} has a row (x, y, z, dx, dy, dz, heading; z at the centre) per object but none for
     * DontCare; {@code numPointsInGt} counts the LiDAR points inside each box within the camera's field of view
     * (-1 for DontCare), or is null when not counted.
     */
    public record Annotations(List<String> name, double[] truncated, int[] occluded, double[] alpha, double[][] bbox, double[][] dimensions,
                              double[][] location, double[] rotationY, double[] score, int[] difficulty, int[] index, double[][] gtBoxesLidar,
                              int[] numPointsInGt) {

        public int size() { return name.size(); }

        /** The number of non-DontCare objects (the rows of gtBoxesLidar). */
        public int numObjects() { return gtBoxesLidar.length; }

        /** Back to label objects (the evaluator's GT); a score of -1 means none. */
        public List<KittiObject> toObjects() {
            List<KittiObject> out = new ArrayList<>(size());
            for (int i = 0; i < size(); i++)
                out.add(new KittiObject(name.get(i), truncated[i], occluded[i], alpha[i], bbox[i][0], bbox[i][1], bbox[i][2], bbox[i][3],
                        dimensions[i][1], dimensions[i][2], dimensions[i][0], location[i][0], location[i][1], location[i][2], rotationY[i],
                        score[i] == -1 ? Double.NaN : score[i]));
            return out;
        }

        /** Deep equality (records of arrays compare arrays by reference). */
        public boolean sameAs(Annotations o) {
            return name.equals(o.name) && Arrays.equals(truncated, o.truncated) && Arrays.equals(occluded, o.occluded) && Arrays.equals(alpha, o.alpha)
                    && Arrays.deepEquals(bbox, o.bbox) && Arrays.deepEquals(dimensions, o.dimensions) && Arrays.deepEquals(location, o.location)
                    && Arrays.equals(rotationY, o.rotationY) && Arrays.equals(score, o.score) && Arrays.equals(difficulty, o.difficulty)
                    && Arrays.equals(index, o.index) && Arrays.deepEquals(gtBoxesLidar, o.gtBoxesLidar) && Arrays.equals(numPointsInGt, o.numPointsInGt);
        }
    }

    /** Deep equality. */
    public boolean sameAs(KittiInfo o) {
        return frameId.equals(o.frameId) && numFeatures == o.numFeatures && imageHeight == o.imageHeight && imageWidth == o.imageWidth
                && Arrays.equals(p2, o.p2) && Arrays.equals(r0Rect, o.r0Rect) && Arrays.equals(trVeloToCam, o.trVeloToCam)
                && (annos == null ? o.annos == null : o.annos != null && annos.sameAs(o.annos));
    }
}
